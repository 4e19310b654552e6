"""The load generator, run as its own process: N couriers each reserve and deposit parcels over HTTP as fast as
the service answers, for a fixed time. Reads its job as JSON on stdin; writes its findings as JSON on stdout.

    {"port": 8000, "concurrency": 16, "seconds": 30, "sites": [["B-000101", ...], ...]}

With "mode": "bare" (and "first_courier") it drives bench/bare_app.py instead: one request per pair.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from typing import Any

from .database import courier_token
from .floor import medium
from .httpclient import Connection
from .stats import cpu_seconds

MAX_PAIRS_PER_COURIER = 200_000  # a bound on the loop whatever the duration


async def _courier(n: int, job: dict[str, Any], deadline: float, out: dict[str, Any]) -> None:
    conn = Connection("127.0.0.1", job["port"])
    one_pair = _bare_pair if job.get("mode") == "bare" else _api_pair
    sites = job["sites"][n]
    try:
        for i in range(MAX_PAIRS_PER_COURIER):
            if time.perf_counter() >= deadline:
                break
            await one_pair(conn, job, n, i, sites[i % len(sites)], "M" if medium(i, len(sites)) else "S", out)
    finally:
        await conn.close()


async def _api_pair(conn: Connection, job: dict[str, Any], n: int, i: int, site: str, size: str,
                    out: dict[str, Any]) -> None:
    auth = {"Authorization": f"Bearer {courier_token(n + 1)}"}
    started = time.perf_counter()
    body = {"tracking_number": f"W{n:02d}{i:08d}{uuid.uuid4().hex[:6]}", "recipient_phone": "010-2000-"
            f"{(n * 1000 + i) % 10000:04d}", "size": size}
    status, answer = await conn.request("POST", f"/api/v1/sites/{site}/reservations",
                                        {**auth, "Idempotency-Key": uuid.uuid4().hex}, body)
    middle = time.perf_counter()
    if status != 201:
        out["errors"].append(status)
        return
    status, _ = await conn.request("POST", f"/api/v1/parcels/{answer['parcel_id']}/deposit",
                                   {**auth, "Idempotency-Key": uuid.uuid4().hex})
    done = time.perf_counter()
    if status != 200:
        out["errors"].append(status)
        return
    out["pairs"].append(done - started)
    out["reserve"].append(middle - started)
    out["deposit"].append(done - middle)


async def _bare_pair(conn: Connection, job: dict[str, Any], n: int, i: int, site: str, size: str,
                     out: dict[str, Any]) -> None:
    """bench/bare_app.py: the floor's two transactions in one request, nothing else."""
    started = time.perf_counter()
    status, _ = await conn.request("POST", "/pair", {}, {"courier": job["first_courier"] + n, "site": site, "n": i,
                                                         "size": size})
    if status != 200:
        out["errors"].append(status)
        return
    out["pairs"].append(time.perf_counter() - started)


async def run(job: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"pairs": [], "reserve": [], "deposit": [], "errors": []}
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    deadline = wall0 + job["seconds"]
    await asyncio.gather(*(_courier(n, job, deadline, out) for n in range(job["concurrency"])))
    out["wall"] = time.perf_counter() - wall0
    out["cpu"] = cpu_seconds() - cpu0
    return out


def main() -> None:
    job = json.load(sys.stdin)
    json.dump(asyncio.run(run(job)), sys.stdout)


if __name__ == "__main__":
    main()
