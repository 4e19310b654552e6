"""The floor: the reserve and deposit transactions issued straight through psycopg, no HTTP, no Flask, no ORM.

Run as its own process like the load generator (JSON job on stdin, findings on stdout), at the same concurrency,
one thread and one connection per courier. Each transaction makes the same reads and writes as the service's
(compartment choice with SKIP LOCKED and the re-check, parcel, code, SMS caps, outbox message, audit events), each
in a single statement; it leaves out what only the HTTP API needs: token check and idempotency record.
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from locker_app.services.codes import code_digest

from .stats import cpu_seconds

MAX_PAIRS_PER_COURIER = 200_000
ACTIVE = "('reserved', 'stored', 'expired')"

SITE = "SELECT id, reservation_hold_minutes FROM sites WHERE code = %s"
CHOOSE = f"""
SELECT c.id FROM compartments c
WHERE c.site_id = %s AND c.in_service AND c.accessible = false AND c.size = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM parcels p WHERE p.compartment_id = c.id AND p.state IN {ACTIVE})
ORDER BY CASE c.size WHEN 'S' THEN 0 WHEN 'M' THEN 1 WHEN 'L' THEN 2 ELSE 3 END, c.last_used_at NULLS FIRST, c.id
LIMIT 1 FOR UPDATE OF c SKIP LOCKED"""
RECHECK = f"SELECT EXISTS (SELECT 1 FROM parcels WHERE compartment_id = %s AND state IN {ACTIVE})"
INSERT_PARCEL = """
INSERT INTO parcels (id, site_id, compartment_id, carrier_id, courier_id, tracking_number, recipient_phone,
                     size_requested, accessible_requested, state, notification_failed, created_at, reserved_until)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, false, 'reserved', false, %s, %s)"""
EVENT = "INSERT INTO events (at, actor, action, site_id, compartment_id, parcel_id) VALUES (%s, %s, %s, %s, %s, %s)"
LOCK_PARCEL = """
SELECT p.state, p.reserved_until, p.site_id, p.compartment_id, p.recipient_phone, s.free_hours, s.expiry_days,
       s.sms_name
FROM parcels p JOIN sites s ON s.id = p.site_id WHERE p.id = %s AND p.carrier_id = %s FOR UPDATE OF p"""
STORE = "UPDATE parcels SET state = 'stored', deposited_at = %s, free_until = %s, pickup_deadline = %s WHERE id = %s"
TOUCH = "UPDATE compartments SET last_used_at = %s WHERE id = %s"
VOID = "UPDATE access_codes SET active = false WHERE parcel_id = %s AND active AND kind = 'pickup'"
CODE = """
INSERT INTO access_codes (parcel_id, site_id, kind, digest, active, created_at) VALUES (%s, %s, 'pickup', %s, true, %s)
ON CONFLICT (site_id, digest) WHERE active DO NOTHING RETURNING id"""
CAPS = """
SELECT (SELECT count(*) FROM messages WHERE parcel_id = %s),
       (SELECT count(*) FROM messages WHERE to_phone = %s AND created_at > %s)"""
MESSAGE = """
INSERT INTO messages (parcel_id, site_id, kind, to_phone, body, code_offset, status, attempts, next_attempt_at,
                      created_at, updated_at)
VALUES (%s, %s, 'delivery', %s, %s, %s, 'pending', 0, %s, %s, %s)"""


def medium(i: int, sites: int) -> bool:
    """Every fourth parcel asks for M, by round over the courier's sites rather than by parcel: with 40 sites and
    `i % 4`, the same sites got every M and filled up in long runs."""
    return (i // sites) % 4 == 3


def reserve(conn: psycopg.Connection, courier: int, site: str, n: int, size: str) -> str:
    now = datetime.now(UTC)
    with conn.transaction():
        found = conn.execute(SITE, (site,), prepare=True).fetchone()
        assert found is not None, f"no site {site}"  # counted as an error, never a silently dead courier
        site_id, hold = found
        row = conn.execute(CHOOSE, (site_id, ["S", "M", "L", "XL"] if size == "S" else ["M", "L", "XL"]),
                           prepare=True).fetchone()
        assert row is not None, "site full"
        (compartment_id,) = row
        assert not conn.execute(RECHECK, (compartment_id,), prepare=True).fetchone()[0]  # type: ignore[index]
        parcel_id = uuid.uuid4().hex
        conn.execute(INSERT_PARCEL, (parcel_id, site_id, compartment_id, 1, courier, f"F{courier:02d}{n:08d}",
                                     f"+82102000{n % 10000:04d}", size, now,
                                     now + timedelta(minutes=hold)), prepare=True)
        conn.execute(EVENT, (now, f"courier:{courier}", "parcel.reserved", site_id, compartment_id, parcel_id),
                     prepare=True)
    return parcel_id


def deposit(conn: psycopg.Connection, courier: int, parcel_id: str, pepper: str) -> None:
    now = datetime.now(UTC)
    with conn.transaction():
        state, until, site_id, compartment_id, phone, free_hours, expiry_days, sms_name = conn.execute(
            LOCK_PARCEL, (parcel_id, 1), prepare=True).fetchone()  # type: ignore[misc]
        assert state == "reserved" and until >= now
        conn.execute(STORE, (now, now + timedelta(hours=free_hours), now + timedelta(days=expiry_days), parcel_id),
                     prepare=True)
        conn.execute(TOUCH, (now, compartment_id), prepare=True)
        conn.execute(VOID, (parcel_id,), prepare=True)
        code = f"{secrets.randbelow(10**8):08d}"
        assert conn.execute(CODE, (parcel_id, site_id, code_digest(pepper, site_id, code), now),
                            prepare=True).fetchone()
        per_parcel, per_number = conn.execute(CAPS, (parcel_id, phone, now - timedelta(hours=24)),
                                              prepare=True).fetchone()  # type: ignore[misc]
        assert per_parcel < 5 and per_number < 10_000
        body = f"[{sms_name}] 택배가 도착했습니다. 인증번호 {code}"
        conn.execute(MESSAGE, (parcel_id, site_id, phone, body, body.index(code), now, now, now), prepare=True)
        conn.execute(EVENT, (now, f"courier:{courier}", "parcel.deposited", site_id, compartment_id, parcel_id),
                     prepare=True)


def _courier(n: int, job: dict[str, Any], deadline: float, out: dict[str, Any], lock: threading.Lock) -> None:
    pairs, errors = [], 0
    courier = job["first_courier"] + n
    sites = job["sites"][n]
    with psycopg.connect(job["dsn"]) as conn:
        for i in range(MAX_PAIRS_PER_COURIER):
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            try:
                size = "M" if medium(i, len(sites)) else "S"
                parcel_id = reserve(conn, courier, sites[i % len(sites)], i, size)
                deposit(conn, courier, parcel_id, job["pepper"])
            except (psycopg.Error, AssertionError):
                errors += 1
                continue
            pairs.append(time.perf_counter() - started)
    with lock:
        out["pairs"].extend(pairs)
        out["errors"].extend([0] * errors)


def run(job: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"pairs": [], "errors": []}
    lock = threading.Lock()
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    deadline = wall0 + job["seconds"]
    threads = [threading.Thread(target=_courier, args=(n, job, deadline, out, lock))
               for n in range(job["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out["wall"] = time.perf_counter() - wall0
    out["cpu"] = cpu_seconds() - cpu0
    return out


def main() -> None:
    json.dump(run(json.load(sys.stdin)), sys.stdout)


if __name__ == "__main__":
    main()
