"""Reserve+deposit pairs through the Flask test client in this process, on a small bench schema: CPU per pair,
statements per request, and optionally a cProfile of the loop. No HTTP server, so this is the application's own
cost per pair, the figure the throughput ratio depends on.

    .venv/bin/python -m bench.profile_pairs --pairs 400            # CPU and statements per pair
    .venv/bin/python -m bench.profile_pairs --pairs 400 --profile  # plus the 30 costliest functions
    SHOW_SQL=1 .venv/bin/python -m bench.profile_pairs --pairs 1   # every statement of a pair
    NO_LIMITER=1 .venv/bin/python -m bench.profile_pairs           # without Flask-Limiter, to see its share
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
import uuid
from collections import Counter

from sqlalchemy import event

from .database import PEPPER, bench_schema, bench_url, courier_token, seed, site_code, sqlalchemy_url
from .stats import cpu_seconds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_pairs")
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from locker_app import create_app
    from locker_app.extensions import db

    with bench_schema("profile") as schema:
        # Nothing is freed between pairs: enough sites that each takes at most 40 parcels, all of size S.
        sites = max(20, (args.pairs + 20) // 40 + 2)
        seed(schema, sites=sites, parcels=10, parcel_sites=1, known=10)
        app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(bench_url(), schema), "SMS_KICK": False,
                          "CODE_PEPPER": PEPPER, "SECRET_KEY": "bench", "SMS_BACKEND": "console",
                          **({"RATELIMIT_ENABLED": False} if os.environ.get("NO_LIMITER") else {})})
        client = app.test_client()
        statements: Counter[str] = Counter()
        current = ["-"]
        show_sql = bool(os.environ.get("SHOW_SQL"))

        def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements.update([current[0]])
            if show_sql:
                print(current[0], " ".join(statement.split())[:100])

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        auth = {"Authorization": f"Bearer {courier_token(1)}"}

        def pair(i: int) -> None:
            current[0] = "reserve"
            site = site_code(2 + i % (sites - 1))
            answer = client.post(f"/api/v1/sites/{site}/reservations", json={
                "tracking_number": f"P{i:08d}{uuid.uuid4().hex[:6]}", "recipient_phone": f"010-2000-{i % 10000:04d}",
                "size": "S"}, headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
            assert answer.status_code == 201, answer.get_json()
            current[0] = "deposit"
            done = client.post(f"/api/v1/parcels/{answer.get_json()['parcel_id']}/deposit",
                               headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
            assert done.status_code == 200, done.get_json()
            current[0] = "-"

        for i in range(20):
            pair(i)
        statements.clear()
        profiler = cProfile.Profile() if args.profile else None
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(20, 20 + args.pairs):
            pair(i)
        if profiler:
            profiler.disable()
        cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
        print(f"{args.pairs} pairs: CPU {1000 * cpu / args.pairs:.2f} ms/pair, wall {1000 * wall / args.pairs:.2f} "
              f"ms/pair; statements per request: reserve {statements['reserve'] / args.pairs:.1f}, "
              f"deposit {statements['deposit'] / args.pairs:.1f}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
