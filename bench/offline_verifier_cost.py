"""What an offline verifier costs: one check at the kiosk, a stolen disk's brute force, and a deposit.

    .venv/bin/python -m bench.offline_verifier_cost [--rounds 15] [--deposits 30]

1. One scrypt at the production parameters (locker_app/offline/scheme.py PARAMS), timed `--rounds` times on
   one core: the cost of one offline check at the kiosk (twice that where the site asks for the phone digits).
2. A stolen kiosk disk holds one site's verifiers under one salt: every 8-digit candidate is hashed once and
   compared with all of them, so recovering every active code of the site costs 10^8 hashes. Reported in
   core-days at the measured per-hash time (this machine's CPU; a GPU does better per dollar, less so for
   a memory-hard hash: 32 MiB per guess).
3. The deposit as the courier sees it (the Flask app through its test client, SQLite in a temporary file,
   production parameters) with the verifier hashed inline at the commit vs. sealed for the scheduler
   (the default, ADR 0015): what keeping scrypt out of the web worker saves.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from locker_app.offline.scheme import PARAMS, verifier

CANDIDATES = 10**8


def per_hash(rounds: int) -> list[float]:
    salt = os.urandom(16)
    verifier("00000000", salt)  # warm up
    times = []
    for i in range(rounds):
        started = time.perf_counter()
        verifier(f"{i:08d}", salt)
        times.append(time.perf_counter() - started)
    return times


def deposits(count: int, inline: bool) -> list[float]:
    from locker_app import create_app
    from locker_app.clock import FrozenClock
    from locker_app.extensions import db
    from locker_app.offline import making
    from locker_app.offline.scheme import params_from
    from locker_app.sealing.keys import current_seal_keys
    from tests.conftest import PEPPER, T0, Api, RecordingSender, _migrate, seed_world

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        _migrate(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "CLOCK": FrozenClock(T0),
                          "SMS_SENDER": RecordingSender(), "SMS_KICK": False, "CODE_PEPPER": PEPPER,
                          "SECRET_KEY": "bench", "OFFLINE_VERIFIERS_INLINE": inline,
                          "SMS_DAILY_CAP_PER_NUMBER": 10**6, "SMS_MAX_PER_PARCEL": 10**6})
        world = seed_world(app, compartments=f"S:{count + 1}")
        api = Api(app.test_client(), world)
        times = []
        for n in range(count):
            parcel = api.reserve(size="S", phone=f"010-5555-{n:04d}").get_json()
            started = time.perf_counter()
            assert api.deposit(parcel["parcel_id"]).status_code == 200
            times.append(time.perf_counter() - started)
            if not inline:  # the scheduler's hashing, outside the timed part: the next deposit does not compete
                with app.app_context():
                    making.drain(db.session(), app.extensions["locker.clock"], params_from(app.config),
                                 current_seal_keys())
        with app.app_context():
            db.engine.dispose()
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--deposits", type=int, default=30)
    args = parser.parse_args()
    print(f"scrypt n={PARAMS.n} r={PARAMS.r} p={PARAMS.p} dklen={PARAMS.dklen}: "
          f"{128 * PARAMS.r * PARAMS.n // 2**20} MiB a hash")
    times = per_hash(args.rounds)
    median, fastest = statistics.median(times), min(times)
    print(f"one check: median {median * 1000:.0f} ms, fastest {fastest * 1000:.0f} ms ({args.rounds} rounds)")
    print(f"one site's active codes from a stolen disk: {CANDIDATES:.0e} x {fastest * 1000:.0f} ms = "
          f"{CANDIDATES * fastest / 86400:.0f} core-days (at the fastest; {CANDIDATES * median / 86400:.0f} "
          f"at the median)")
    if args.deposits:
        for inline in (True, False):
            found = deposits(args.deposits, inline)
            print(f"deposit, verifier {'inline at the commit' if inline else 'sealed for the scheduler':26}: median "
                  f"{statistics.median(found) * 1000:.1f} ms, p90 {sorted(found)[int(len(found) * 0.9)] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
