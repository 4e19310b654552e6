"""How long the kiosk takes to reject a wrong, a used and an expired code, and whether that tells them apart.

    .venv/bin/python -m bench.code_timing [--rounds 400]      # SQLite, and PostgreSQL if
                                                             # LOCKER_TEST_DATABASE_URL is set

Every request goes through the whole Flask app (test client, no network) against a real database. The three
kinds are interleaved in random order so that drift (caches, the machine's other load) hits them alike. The
keypad budget is reset between requests, outside the timed part, so each rejection does the same
bookkeeping. The noise is the spread of the difference between two random halves of the *same* kind (an A/A
comparison); a difference between kinds smaller than that cannot be seen by a guesser either.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask

from locker_app import create_app
from locker_app.clock import FrozenClock
from locker_app.extensions import db
from tests.conftest import (
    PEPPER,
    T0,
    Api,
    RecordingSender,
    _migrate,
    code_from,
    create_pg_schema,
    drop_pg_schema,
    pg_url_with_schema,
    seed_world,
)

KINDS = ("wrong", "used", "expired")


def _codes(app: Flask, api: Api, sms: RecordingSender, count: int) -> dict[str, list[str]]:
    from locker_app.jobs import relay_job

    numbers = iter(range(10_000))

    def deliver() -> tuple[str, str]:
        # A number of its own per parcel: the SMS cap per number and day would otherwise refuse the 11th code.
        parcel = api.reserve(size="S", phone=f"010-5555-{next(numbers):04d}").get_json()
        api.deposit(parcel["parcel_id"])
        with app.app_context():
            relay_job()
        return parcel["parcel_id"], code_from(sms.sent[-1]["body"])

    used, expired = [], []
    for _ in range(count):
        _, code = deliver()
        assert api.pickup(code).status_code == 200
        used.append(code)
    for _ in range(count):
        parcel_id, code = deliver()
        # Expired with its code still active: the slowest way to be rejected (the row is found).
        with app.app_context():
            db.session.execute(sa.text("UPDATE parcels SET state = 'expired' WHERE id = :p"), {"p": parcel_id})
            db.session.commit()
        expired.append(code)
    rng = random.Random(7)
    wrong = [f"{rng.randrange(10**8):08d}" for _ in range(200)]
    return {"wrong": wrong, "used": used, "expired": expired}


def _reset_budget(app: Flask) -> None:
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM keypad_failures"))
        db.session.execute(sa.text("UPDATE keypad_states SET blocked_until = NULL, streak_after_id = 0, "
                                   "window_after_id = 0, locked_at = NULL"))
        db.session.commit()


def _median_gap(a: list[float], b: list[float]) -> float:
    return statistics.median(a) - statistics.median(b)


def _aa_noise(samples: list[float], rng: random.Random, trials: int = 200) -> float:
    """95th percentile of |median(half) - median(other half)| over random splits of one kind."""
    gaps = []
    for _ in range(trials):
        shuffled = samples[:]
        rng.shuffle(shuffled)
        half = len(shuffled) // 2
        gaps.append(abs(_median_gap(shuffled[:half], shuffled[half:])))
    gaps.sort()
    return gaps[int(0.95 * len(gaps))]


def measure(url: str, rounds: int, label: str) -> None:
    sms = RecordingSender()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLOCK": FrozenClock(T0), "SMS_SENDER": sms,
                      "SMS_KICK": False, "CODE_PEPPER": PEPPER, "SECRET_KEY": "bench", "TESTING": True})
    world = seed_world(app, compartments="S:60,M:2,L:1,XL:1")
    api = Api(app.test_client(), world)
    codes = _codes(app, api, sms, 25)
    rng = random.Random(11)
    order = [kind for kind in KINDS for _ in range(rounds)]
    rng.shuffle(order)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    post: Callable[[str], object] = api.pickup
    for warm in range(30):
        _reset_budget(app)
        post(codes["wrong"][warm % len(codes["wrong"])])
    for n, kind in enumerate(order):
        _reset_budget(app)
        code = codes[kind][n % len(codes[kind])]
        started = time.perf_counter_ns()
        answer = post(code)
        elapsed = (time.perf_counter_ns() - started) / 1e6
        assert answer.status_code == 403, (kind, answer.status_code)  # type: ignore[attr-defined]
        times[kind].append(elapsed)

    print(f"\n{label}: {rounds} rejections of each kind, milliseconds per request")
    print(f"{'kind':8} {'median':>8} {'mean':>8} {'p10':>8} {'p90':>8} {'stdev':>8}")
    for kind in KINDS:
        t = sorted(times[kind])
        print(f"{kind:8} {statistics.median(t):8.3f} {statistics.fmean(t):8.3f} {t[len(t) // 10]:8.3f} "
              f"{t[9 * len(t) // 10]:8.3f} {statistics.stdev(t):8.3f}")
    noise = max(_aa_noise(times[kind], random.Random(3)) for kind in KINDS)
    print(f"noise (95th pct of |median gap| between random halves of one kind): {noise:.3f} ms")
    for kind in ("used", "expired"):
        gap = _median_gap(times[kind], times["wrong"])
        verdict = "within the noise" if abs(gap) <= noise else "LARGER than the noise"
        print(f"median({kind}) - median(wrong) = {gap:+.3f} ms  ({verdict})")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    os.environ.setdefault("LOCKER_SMS_BACKEND", "console")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        _migrate(url)
        measure(url, args.rounds, "SQLite (file, WAL)")
    pg = os.environ.get("LOCKER_TEST_DATABASE_URL")
    if pg:
        schema = create_pg_schema("locker_bench")
        try:
            url = pg_url_with_schema(schema)
            _migrate(url)
            measure(url, args.rounds, "PostgreSQL (local)")
        finally:
            drop_pg_schema(schema)


if __name__ == "__main__":
    main()
