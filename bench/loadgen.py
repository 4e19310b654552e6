"""The load generator, run as its own process: N couriers each reserve and deposit parcels over HTTP as fast as
the service answers, for a fixed time. Reads its job as JSON on stdin; writes its findings as JSON on stdout.

    {"port": 8000, "concurrency": 16, "seconds": 30, "sites": [["B-000101", ...], ...]}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from typing import Any

from .database import courier_token
from .httpclient import Connection
from .stats import cpu_seconds

MAX_PAIRS_PER_COURIER = 200_000  # a bound on the loop whatever the duration


async def _bare_courier(n: int, job: dict[str, Any], deadline: float, out: dict[str, Any]) -> None:
    """bench/bare_app.py: the floor's two transactions in one request, nothing else."""
    conn = Connection("127.0.0.1", job["port"])
    sites = job["sites"][n]
    try:
        for i in range(MAX_PAIRS_PER_COURIER):
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            status, _ = await conn.request("POST", "/pair", {}, {"courier": job["first_courier"] + n,
                                                                 "site": sites[i % len(sites)], "n": i})
            if status != 200:
                out["errors"].append(status)
                continue
            out["pairs"].append(time.perf_counter() - started)
    finally:
        await conn.close()


async def _courier(n: int, job: dict[str, Any], deadline: float, out: dict[str, Any]) -> None:
    conn = Connection("127.0.0.1", job["port"])
    auth = {"Authorization": f"Bearer {courier_token(n + 1)}"}
    sites = job["sites"][n]
    try:
        for i in range(MAX_PAIRS_PER_COURIER):
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            body = {"tracking_number": f"W{n:02d}{i:08d}{uuid.uuid4().hex[:6]}", "recipient_phone": "010-2000-"
                    f"{(n * 1000 + i) % 10000:04d}", "size": "S" if i % 4 else "M"}
            status, answer = await conn.request("POST", f"/api/v1/sites/{sites[i % len(sites)]}/reservations",
                                                {**auth, "Idempotency-Key": uuid.uuid4().hex}, body)
            middle = time.perf_counter()
            if status != 201:
                out["errors"].append(status)
                continue
            status, _ = await conn.request("POST", f"/api/v1/parcels/{answer['parcel_id']}/deposit",
                                           {**auth, "Idempotency-Key": uuid.uuid4().hex})
            done = time.perf_counter()
            if status != 200:
                out["errors"].append(status)
                continue
            out["pairs"].append(done - started)
            out["reserve"].append(middle - started)
            out["deposit"].append(done - middle)
    finally:
        await conn.close()


async def run(job: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"pairs": [], "reserve": [], "deposit": [], "errors": []}
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    deadline = wall0 + job["seconds"]
    courier = _bare_courier if job.get("mode") == "bare" else _courier
    await asyncio.gather(*(courier(n, job, deadline, out) for n in range(job["concurrency"])))
    out["wall"] = time.perf_counter() - wall0
    out["cpu"] = cpu_seconds() - cpu0
    return out


def main() -> None:
    job = json.load(sys.stdin)
    json.dump(asyncio.run(run(job)), sys.stdout)


if __name__ == "__main__":
    main()
