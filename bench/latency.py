"""Sequential latency, one request at a time from this process, for the small and the large data set taken in
turns (small, large, large, small, ...): the machine's speed drifts from minute to minute, and taking the two
sides of a ratio minutes apart let that drift into the ratio. Each source is an endless generator of timings."""

from __future__ import annotations

import http.client
import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from . import database, occupancy
from .database import PEPPER, Seeded, courier_token, district, kiosk_token, site_code


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, path: str, token: str, body: Any = None, key: bool = True) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        self.conn.request("POST", path, json.dumps(body) if body is not None else "", headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)


def reservations(port: int, seeded: Seeded) -> Iterator[float]:
    """Reserve at a random site that holds no stored parcels, timed; cancel at once (untimed) to free it again."""
    client, rng, token = Client(port), random.Random(3), courier_token(1)
    for n in range(10**9):
        site = site_code(rng.randint(seeded.parcel_sites + 1, seeded.sites))
        body = {"tracking_number": f"L{n:08d}", "recipient_phone": "010-3000-0001", "size": "S"}
        started = time.perf_counter()
        status, answer = client.post(f"/api/v1/sites/{site}/reservations", token, body)
        elapsed = time.perf_counter() - started
        assert status == 201, (status, answer)
        status, _ = client.post(f"/api/v1/parcels/{answer['parcel_id']}/cancel", token)
        assert status == 200
        yield elapsed


def pickups(port: int, schema: str, seeded: Seeded) -> Iterator[float]:
    """Pick up the known parcels round after round, putting them back (untimed, in SQL) between rounds."""
    client = Client(port)
    parcel_ids = [parcel_id for _, parcel_id, _ in seeded.known]
    while True:
        for site_id, _, code in seeded.known:
            started = time.perf_counter()
            status, answer = client.post("/kiosk/v1/pickup", kiosk_token(site_id), {"code": code}, key=False)
            elapsed = time.perf_counter() - started
            assert status == 200, (status, answer)
            yield elapsed
        database.reset_picked_up(schema, parcel_ids)


def occupancy_summaries(schema: str) -> Iterator[float]:
    """The admin occupancy summary of district 1, in process (its HTTP layer is every admin answer's)."""
    from locker_app import create_app
    from locker_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database.sqlalchemy_url(database.bench_url(), schema),
                      "SMS_KICK": False, "CODE_PEPPER": PEPPER, "SECRET_KEY": "bench"})
    try:
        while True:
            # A context per call, never held across the yield: two of these generators take turns.
            with app.app_context():
                started = time.perf_counter()
                occupancy.summary(db.session(), datetime.now(UTC), district(1))
                db.session.rollback()
                elapsed = time.perf_counter() - started
            yield elapsed
    finally:
        with app.app_context():
            db.engine.dispose()


def in_turns(small: Iterator[float], large: Iterator[float], samples: int,
             warmup: int) -> tuple[list[float], list[float]]:
    """`samples` timings of each after `warmup` untimed ones, alternating which goes first."""
    got: tuple[list[float], list[float]] = ([], [])
    for n in range(warmup + samples):
        order = ((0, small), (1, large)) if n % 2 == 0 else ((1, large), (0, small))
        for side, source in order:
            elapsed = next(source)
            if n >= warmup:
                got[side].append(elapsed)
    for source in (small, large):
        close = getattr(source, "close", None)
        if close:
            close()
    return got
