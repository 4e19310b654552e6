"""A schema of its own per benchmark run on the bench server, migrated, filled in bulk, and dropped after."""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from locker_app.services.codes import code_digest
from locker_app.services.provisioning import compartment_labels

ROOT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PEPPER = "bench-pepper"
SITE_SIZE = 100  # compartments per site: S 50, M 30, L 15, XL 5; two of them accessible
SITES_PER_DISTRICT = 10
COURIERS = 64


def bench_url() -> str:
    return os.environ.get("LOCKER_BENCH_DATABASE_URL") or DEFAULT_URL


def libpq_dsn(url: str, schema: str | None = None) -> str:
    """The SQLAlchemy URL as a libpq connection string for psycopg, with the schema as search_path."""
    parsed = make_url(url).set(drivername="postgresql")
    dsn = parsed.render_as_string(hide_password=False)
    if schema:
        dsn += ("&" if "?" in dsn else "?") + f"options=-csearch_path%3D{schema}"
    return dsn


def sqlalchemy_url(url: str, schema: str) -> str:
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"


def site_code(number: int) -> str:
    return f"B-{number:06d}"


def district(number: int) -> str:
    return f"D{(number - 1) // SITES_PER_DISTRICT:04d}"


def courier_token(number: int) -> str:
    return f"bench-courier-token-{number:04d}"


def kiosk_token(site_id: int) -> str:
    return f"bench-kiosk-token-{site_id:06d}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@contextmanager
def bench_schema(label: str) -> Iterator[str]:
    """CREATE SCHEMA locker_bench_<label>_<pid>_<random>, migrated to head; DROP ... CASCADE afterwards."""
    schema = f"locker_bench_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(libpq_dsn(bench_url()), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        _migrate(sqlalchemy_url(bench_url(), schema))
        yield schema
    finally:
        with psycopg.connect(libpq_dsn(bench_url()), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _migrate(url: str) -> None:
    import flask_migrate

    from locker_app import create_app
    from locker_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SMS_KICK": False})
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@dataclass
class Seeded:
    sites: int
    compartments: int
    parcels: int
    parcel_sites: int
    # (site_id, parcel_id, code) of parcels whose codes we keep, to pick them up.
    known: list[tuple[int, str, str]] = field(default_factory=list)


def seed(schema: str, *, sites: int, parcels: int, parcel_sites: int, known: int, seed_value: int = 1) -> Seeded:
    """Sites of SITE_SIZE compartments in districts of SITES_PER_DISTRICT; `parcels` stored parcels spread
    over the first `parcel_sites` sites, each with an active code, a sent SMS and two events."""
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    with psycopg.connect(libpq_dsn(bench_url(), schema)) as conn:
        conn.execute(
            """INSERT INTO sites (id, code, name, sms_name, district, country, timezone, language, lat, lon,
                   require_phone_suffix, reservation_hold_minutes, free_hours, fee_per_day, currency,
                   reminder_after_hours, reminder_before_free_end_hours, expiry_days, created_at)
               SELECT g, 'B-' || lpad(g::text, 6, '0'), 'Bench site ' || g, 'Bench ' || g,
                      'D' || lpad(((g - 1) / %(per)s)::text, 4, '0'), 'KR', 'Asia/Seoul', 'ko',
                      37.4 + (g %% 100) * 0.002, 126.8 + (g / 100) * 0.002, false, 15, 48, 1000, 'KRW', 24, 6, 7,
                      %(now)s
               FROM generate_series(1, %(n)s) AS g""",
            {"n": sites, "per": SITES_PER_DISTRICT, "now": now},
        )
        labels = compartment_labels(SITE_SIZE)
        conn.execute(
            """INSERT INTO compartments (site_id, label, size, accessible, in_service, last_used_at)
               SELECT s, (%(labels)s::text[])[i],
                      CASE WHEN i <= 50 THEN 'S' WHEN i <= 80 THEN 'M' WHEN i <= 95 THEN 'L' ELSE 'XL' END,
                      i IN (50, 80), true, NULL
               FROM generate_series(1, %(n)s) AS s, generate_series(1, %(size)s) AS i ORDER BY s, i""",
            {"n": sites, "size": SITE_SIZE, "labels": labels},
        )
        conn.execute("INSERT INTO carriers (id, name) VALUES (1, 'Bench Express')")
        with conn.cursor().copy("COPY couriers (id, carrier_id, name, token_digest, active, created_at) "
                                "FROM STDIN") as copy:
            for n in range(1, COURIERS + 1):
                copy.write_row((n, 1, f"Courier {n}", _digest(courier_token(n)), True, now))
        with conn.cursor().copy("COPY kiosks (site_id, token_digest, active, created_at) FROM STDIN") as copy:
            for site_id in range(1, sites + 1):
                copy.write_row((site_id, _digest(kiosk_token(site_id)), True, now))
        for table in ("sites", "carriers", "couriers"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        result = Seeded(sites, sites * SITE_SIZE, parcels, parcel_sites)
        _seed_parcels(conn, rng, now, parcels, parcel_sites, known, result)
        conn.commit()
    with psycopg.connect(libpq_dsn(bench_url(), schema), autocommit=True) as conn:
        # VACUUM, not only ANALYZE: rows fresh from COPY carry no hint bits, so the first statement to read each
        # page would also write it. Production tables are vacuumed by autovacuum long before; without this the
        # large data set paid that first-read cost on every site the latency samples touched (reserve at 100,000
        # compartments measured 1.1-1.7x the small set, from one quick run to the next).
        tables = [name for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (schema,))]
        conn.execute("VACUUM (FREEZE, ANALYZE) " + ", ".join(f'"{schema}"."{name}"' for name in tables))
    return result


def _seed_parcels(conn: psycopg.Connection, rng: random.Random, now: datetime, parcels: int, parcel_sites: int,
                  known: int, result: Seeded) -> None:
    if not parcels:
        return
    per_site = -(-parcels // parcel_sites)
    assert per_site <= SITE_SIZE
    compartments = conn.execute(
        "SELECT id, site_id, size FROM compartments WHERE site_id <= %s AND label = ANY(%s) ORDER BY site_id, label",
        (parcel_sites, compartment_labels(SITE_SIZE)[:per_site]),
    ).fetchall()[:parcels]
    keep = set(rng.sample(range(len(compartments)), min(known, len(compartments))))
    deposited = now - timedelta(hours=1)
    parcel_rows, code_rows, message_rows, event_rows = [], [], [], []
    codes_by_site: dict[int, set[str]] = {}
    for n, (compartment_id, site_id, size) in enumerate(compartments):
        parcel_id = uuid.UUID(int=rng.getrandbits(128)).hex
        phone = f"+8210{rng.randrange(10**8):08d}"
        taken = codes_by_site.setdefault(site_id, set())
        code = f"{rng.randrange(10**8):08d}"
        while code in taken:
            code = f"{rng.randrange(10**8):08d}"
        taken.add(code)
        if n in keep:
            result.known.append((site_id, parcel_id, code))
        parcel_rows.append((parcel_id, site_id, compartment_id, 1, 1 + n % COURIERS, f"TRK{n:09d}", phone, size,
                            False, "stored", False, deposited - timedelta(minutes=2),
                            deposited + timedelta(minutes=13), deposited, deposited + timedelta(hours=48),
                            deposited + timedelta(days=7)))
        code_rows.append((parcel_id, site_id, "pickup", code_digest(PEPPER, site_id, code), True, deposited))
        message_rows.append((parcel_id, site_id, "delivery", phone, "[Bench] code ********", "delivered", 1, 1,
                             deposited, deposited, deposited, deposited))
        for action, at in (("parcel.reserved", deposited - timedelta(minutes=2)), ("parcel.deposited", deposited)):
            event_rows.append((at, "courier:1", action, site_id, compartment_id, parcel_id))
    copies = (
        ("COPY parcels (id, site_id, compartment_id, carrier_id, courier_id, tracking_number, recipient_phone, "
         "size_requested, accessible_requested, state, notification_failed, created_at, reserved_until, "
         "deposited_at, free_until, pickup_deadline) FROM STDIN", parcel_rows),
        ("COPY access_codes (parcel_id, site_id, kind, digest, active, created_at) FROM STDIN", code_rows),
        ("COPY messages (parcel_id, site_id, kind, to_phone, body, status, attempts, segments, next_attempt_at, "
         "created_at, sent_at, updated_at) FROM STDIN", message_rows),
        ("COPY events (at, actor, action, site_id, compartment_id, parcel_id) FROM STDIN", event_rows),
    )
    for statement, rows in copies:
        with conn.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def reset_picked_up(schema: str, parcel_ids: list[str]) -> None:
    """Put picked-up parcels back as stored with their codes active, so the next round finds the same data."""
    with psycopg.connect(libpq_dsn(bench_url(), schema)) as conn:
        conn.execute("UPDATE parcels SET state = 'stored', picked_up_at = NULL WHERE id = ANY(%s)", (parcel_ids,))
        conn.execute("UPDATE access_codes SET active = true, used_at = NULL WHERE parcel_id = ANY(%s)", (parcel_ids,))
