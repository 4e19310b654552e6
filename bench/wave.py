"""The morning wave: what a resident waits for while couriers fill the lockers.

Couriers reserve and deposit at a steady rate (40 parcels a second by default) through the service under
gunicorn, the production way: the web workers' post-commit kick and the scheduler's relay send the SMS through
the Twilio SDK to a fake Twilio (its own process) that answers each send after 250 ms, as Twilio does from
Korea. Meanwhile a kiosk picks up a parcel every second. Measured, in one run:

- each SMS from its deposit (the message's `created_at`, written in the deposit's transaction, a few ms before
  the commit) to the fake accepting it (the fake's clock; the same machine);
- each pickup's latency during the wave.

The arrivals are open-loop (scheduled at fixed times, not after the previous answer), so a slow service
shows as a growing backlog, not as a politely lower rate; the rate reached is printed beside the one asked.

    .venv/bin/python -m bench.wave [--rate 40] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

import psycopg

from . import database
from .database import ROOT_DIR, Seeded, bench_url, courier_token, kiosk_token, libpq_dsn, site_code, sqlalchemy_url
from .httpclient import Connection
from .relay import ACCOUNT_SID, AUTH_TOKEN, FROM, FakeTwilioProcess
from .server import KIOSK_CONF, KIOSK_SHAPE, KIOSK_UNIT, LIFTED_SMS_CAPS, Service, unit_nice
from .stats import percentile

PROVIDER_DELAY = 0.25  # seconds Twilio takes to accept a message sent from Korea
COURIERS = 16
# Everything the deposits need beside the wave's own sites: 100 sites of 100 doors take 40/s for 60 s twice over.
WAVE_SITES = 100


@dataclass
class Wave:
    asked_rate: float
    seconds: float
    deposits: list[tuple[float, float]] = field(default_factory=list)  # (started, answered) epoch seconds
    errors: list[int] = field(default_factory=list)
    pickups: list[float] = field(default_factory=list)  # seconds, through the kiosks' own pool
    pickup_errors: list[int] = field(default_factory=list)
    shared_pickups: list[float] = field(default_factory=list)  # the same, through the couriers' pool
    shared_pickup_errors: list[int] = field(default_factory=list)
    kiosk_nice: tuple[int, int] = (0, 0)  # (the kiosks' pool ran at, its unit asks for)
    verifiers_pending: int = -1  # offline verifiers the scheduler had still to hash when the SMS had drained
    sms: list[float] = field(default_factory=list)  # deposit -> accepted, seconds
    unsent: int = 0
    relay_concurrency: int = 0
    drain_seconds: float = 0.0

    @property
    def reached_rate(self) -> float:
        if not self.deposits:
            return 0.0
        return len(self.deposits) / max(1e-9, max(a for _, a in self.deposits) - min(s for s, _ in self.deposits))


def _environment(fake_url: str) -> dict[str, str]:
    return {"LOCKER_SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM, "LOCKER_TWILIO_BASE_URL": fake_url, "LOCKER_SMS_KICK": "1",
            # The wave sends thousands of SMS from one carrier to distinct numbers within minutes: a real morning's
            # volume for a city, far past the hourly caps a single district would set (names from config.py).
            **LIFTED_SMS_CAPS}


async def _deposit(conn: Connection, n: int, wave: Wave) -> None:
    token = courier_token(1 + n % COURIERS)
    headers = {"Authorization": f"Bearer {token}"}
    site = site_code(2 + n % (WAVE_SITES - 1))
    body = {"tracking_number": f"W{n:08d}", "recipient_phone": f"010-4{n // 10000 % 1000:03d}-{n % 10000:04d}",
            "size": "S"}
    started = time.time()
    status, answer = await conn.request("POST", f"/api/v1/sites/{site}/reservations",
                                        {**headers, "Idempotency-Key": uuid.uuid4().hex}, body)
    if status != 201:
        wave.errors.append(status)
        return
    status, _ = await conn.request("POST", f"/api/v1/parcels/{answer['parcel_id']}/deposit",
                                   {**headers, "Idempotency-Key": uuid.uuid4().hex})
    if status != 200:
        wave.errors.append(status)
        return
    wave.deposits.append((started, time.time()))


async def _couriers(port: int, wave: Wave) -> None:
    """Open-loop arrivals at the asked rate; each takes an idle connection (a courier's handheld) from a pool."""
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(64):
        idle.put_nowait(Connection("127.0.0.1", port))
    start = time.perf_counter()
    total = int(wave.asked_rate * wave.seconds)
    tasks = []

    async def one(n: int) -> None:
        conn = await idle.get()
        try:
            await _deposit(conn, n, wave)
        except (OSError, asyncio.IncompleteReadError):
            wave.errors.append(-1)
            await conn.close()
        finally:
            idle.put_nowait(conn)

    for n in range(total):
        delay = start + n / wave.asked_rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)


async def _kiosk(port: int, schema: str, known: list[tuple[int, str, str]], times: list[float], errors: list[int],
                 stop: asyncio.Event) -> None:
    """One pickup a second with a known code, the parcel put back (in SQL, untimed) after each."""
    conn = Connection("127.0.0.1", port)
    n = 0
    while not stop.is_set():
        site_id, parcel_id, code = known[n % len(known)]
        started = time.perf_counter()
        status, _ = await conn.request("POST", "/kiosk/v1/pickup", {"Authorization": f"Bearer {kiosk_token(site_id)}"},
                                       {"code": code})
        elapsed = time.perf_counter() - started
        if status == 200:
            times.append(elapsed)
        else:
            errors.append(status)
        await asyncio.to_thread(database.reset_picked_up, schema, [parcel_id])
        n += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, 1.0 - elapsed))
    await conn.close()


async def _drive(port: int, kiosk_port: int, schema: str, seeded: Seeded, wave: Wave) -> None:
    """The couriers on the main pool; a kiosk on the kiosks' own pool (as the proxy routes /kiosk/) and, for the
    comparison in the same run, a second kiosk whose requests go to the couriers' pool, each with its own parcels."""
    stop = asyncio.Event()
    half = len(seeded.known) // 2
    kiosks = [asyncio.create_task(_kiosk(kiosk_port, schema, seeded.known[:half], wave.pickups, wave.pickup_errors,
                                         stop)),
              asyncio.create_task(_kiosk(port, schema, seeded.known[half:], wave.shared_pickups,
                                         wave.shared_pickup_errors, stop))]
    await _couriers(port, wave)
    stop.set()
    await asyncio.gather(*kiosks)


def _delivery_messages(schema: str, since: float) -> list[tuple[str | None, float]]:
    with psycopg.connect(libpq_dsn(bench_url(), schema)) as conn:
        rows = conn.execute("SELECT provider_sid, extract(epoch FROM created_at) FROM messages "
                            "WHERE kind = 'delivery' AND created_at >= to_timestamp(%s)", (since - 1,)).fetchall()
    return [(sid, float(at)) for sid, at in rows]


def _verifiers_pending(schema: str) -> int:
    with psycopg.connect(libpq_dsn(bench_url(), schema)) as conn:
        row = conn.execute("SELECT count(*) FROM offline_pending_verifiers").fetchone()
    return int(row[0]) if row else 0


def run_wave(rate: float, seconds: float, relay_concurrency: int | None = None) -> Wave:
    wave = Wave(rate, seconds)
    with database.bench_schema("wave") as schema:
        seeded = database.seed(schema, sites=WAVE_SITES, parcels=20, parcel_sites=1, known=20)
        fake = FakeTwilioProcess(PROVIDER_DELAY)
        env = _environment(fake.url)
        if relay_concurrency:
            env["LOCKER_SMS_RELAY_CONCURRENCY"] = str(relay_concurrency)
        scheduler = kiosk_service = None
        service = Service(schema, env=env)
        try:
            asked = unit_nice(KIOSK_UNIT)
            kiosk_service = Service(schema, env=env, pool=KIOSK_SHAPE, conf=KIOSK_CONF, nice=asked)
            wave.kiosk_nice = (kiosk_service.nice(), asked)
            scheduler = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "locker", "scheduler"], cwd=ROOT_DIR,
                env={**service.environment, "LOCKER_DATABASE_URL": sqlalchemy_url(bench_url(), schema)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            from .relay import relay_concurrency as configured

            wave.relay_concurrency = relay_concurrency or configured()
            began = time.time()
            asyncio.run(_drive(service.port, kiosk_service.port, schema, seeded, wave))
            ended = time.time()
            # Let the backlog drain (bounded): the SMS of the last deposits count as much as the first.
            deadline = ended + 180
            while time.time() < deadline:
                messages = _delivery_messages(schema, began)
                if messages and all(sid for sid, _ in messages):
                    break
                time.sleep(0.5)
            wave.drain_seconds = time.time() - ended
            wave.verifiers_pending = _verifiers_pending(schema)
        finally:
            if scheduler is not None:
                scheduler.terminate()
                scheduler.wait(30)
            if kiosk_service is not None:
                kiosk_service.stop()
            service.stop()
            accepted = fake.stop()
        for sid, created in _delivery_messages(schema, began):
            if sid and sid in accepted:
                wave.sms.append(accepted[sid] - created)
            else:
                wave.unsent += 1
    return wave


def report(wave: Wave) -> None:
    sms_p99 = percentile(wave.sms, 0.99) if wave.sms else float("inf")
    pickup_p99 = 1000 * percentile(wave.pickups, 0.99) if wave.pickups else float("inf")
    print(f"\nMorning wave: couriers asked {wave.asked_rate:.0f} parcels/s for {wave.seconds:.0f} s, reached "
          f"{wave.reached_rate:.1f}/s ({len(wave.deposits)} deposits, {len(wave.errors)} errors {set(wave.errors)}); "
          f"relay concurrency {wave.relay_concurrency}, provider answers after {PROVIDER_DELAY * 1000:.0f} ms")
    if wave.sms:
        print(f"SMS deposit -> provider accepted: p50 {percentile(wave.sms, 0.5):.2f} s, p90 "
              f"{percentile(wave.sms, 0.9):.2f} s, p99 {sms_p99:.2f} s, max {max(wave.sms):.2f} s; "
              f"{wave.unsent} not sent; backlog drained {wave.drain_seconds:.1f} s after the last deposit")
    ran, asked = wave.kiosk_nice
    print(f"the kiosks' pool ran at nice {ran}" + ("" if ran == asked else
          f", NOT its unit's {asked} (lowering it needs root): its pickups are not measured as deployed"))
    for label, times, errors in (("the kiosks' own pool (as deployed)", wave.pickups, wave.pickup_errors),
                                 ("the couriers' pool (one pool for all)", wave.shared_pickups,
                                  wave.shared_pickup_errors)):
        if times:
            print(f"kiosk pickups during the wave through {label}: {len(times)}, p50 "
                  f"{1000 * percentile(times, 0.5):.1f} ms, p99 {1000 * percentile(times, 0.99):.1f} ms, "
                  f"{len(errors)} errors")
    if wave.verifiers_pending >= 0:
        print(f"offline verifiers the scheduler had still to hash when the SMS had drained: {wave.verifiers_pending} "
              f"of {len(wave.deposits)} (hashed at the lowest CPU priority, ADR 0015)")
    print(f"ratio sms_wave_p99_s: {sms_p99:.2f}")
    print(f"ratio pickup_p99_in_wave_ms: {pickup_p99:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wave", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--relay-concurrency", type=int, help="LOCKER_SMS_RELAY_CONCURRENCY for this run")
    args = parser.parse_args(argv)
    report(run_wave(args.rate, args.seconds, args.relay_concurrency))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
