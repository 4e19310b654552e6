"""Fixtures: a real database (a SQLite file, and PostgreSQL when LOCKER_TEST_DATABASE_URL is set),
an app per test, a frozen clock, a recording SMS sender, and no way out to the internet."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from locker_app import create_app
from locker_app.clock import FrozenClock
from locker_app.extensions import db
from locker_app.services import provisioning
from locker_app.sms.segments import count_segments
from locker_app.sms.senders import SendResult, SmsError

PG_URL = os.environ.get("LOCKER_TEST_DATABASE_URL")
STRICT = os.environ.get("LOCKER_TEST_STRICT") == "1" or os.environ.get("CI") == "true"
PEPPER = "test-pepper"
SEAL_KEY = "t:dGVzdC1zZWFsLWtleS1ub3QtdGhlLWRldi1rZXktMzI"  # 32 bytes, not the development key
# 14:05 in Seoul on 24 November.
T0 = datetime(2026, 11, 24, 5, 5, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    if STRICT and not PG_URL:
        raise pytest.UsageError("CI must run the PostgreSQL tests: set LOCKER_TEST_DATABASE_URL")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Skips said once per reason with a count, instead of one SKIPPED line per test (hundreds on SQLite)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        hint = " (the PostgreSQL variants: set it to run them too)" if "LOCKER_TEST_DATABASE_URL" in reason else ""
        terminalreporter.write_line(f"skipped {count}: {reason}{hint}")


# --- no internet -------------------------------------------------------------------------------

def _local(address: Any) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def no_internet() -> Iterator[None]:
    """Any test that tries to reach a host other than this machine fails at once."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address: Any) -> None:
        if not _local(address):
            raise RuntimeError(f"test tried to reach {address!r}: tests must not use the internet")

    def connect(self: socket.socket, address: Any) -> None:
        guard(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None:
            guard((host.decode() if isinstance(host, bytes) else host, 0))
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = real_getaddrinfo


# --- databases -----------------------------------------------------------------------------------

def _migrate(url: str) -> None:
    import flask_migrate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SMS_SENDER": RecordingSender(), "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


def pg_url_with_schema(schema: str) -> str:
    assert PG_URL
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def create_pg_schema(prefix: str) -> str:
    assert PG_URL
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema


def drop_pg_schema(schema: str) -> None:
    assert PG_URL
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def terminate_backend(db_url: str, pid: int) -> None:
    """End a PostgreSQL server backend from another connection, as a restart or a failover would."""
    killer = sa.create_engine(db_url)
    with killer.begin() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    killer.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "locker.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("LOCKER_TEST_DATABASE_URL is not set")
    schema = create_pg_schema("locker_test")
    url = pg_url_with_schema(schema)
    _migrate(url)
    yield url
    drop_pg_schema(schema)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet (a fresh SQLite file, or a fresh PostgreSQL schema): for migrations."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not PG_URL:
        pytest.skip("LOCKER_TEST_DATABASE_URL is not set")
    schema = create_pg_schema("locker_fresh")
    yield pg_url_with_schema(schema)
    drop_pg_schema(schema)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "locker.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_migrated")
    yield url
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [t.name for t in db.metadata.sorted_tables]
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


# --- the app ---------------------------------------------------------------------------------------

@dataclass
class RecordingSender:
    """Stands in for the provider: keeps what was sent, or fails as told."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    fail_with: SmsError | None = None
    redacted: list[str] = field(default_factory=list)

    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        # The relay sends from several threads at once: SIDs must stay unique.
        with self.lock:
            if self.fail_with is not None:
                raise self.fail_with
            self.sent.append({"to": to, "body": body, "status_callback": status_callback})
            return SendResult(sid=f"SM{len(self.sent):032d}", status="queued", segments=count_segments(body))

    def redact(self, sid: str) -> None:
        self.redacted.append(sid)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def sms() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def make_app(db_url: str, clock: FrozenClock, sms: RecordingSender) -> Iterator[Callable[..., Flask]]:
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        config = {"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True, "CLOCK": clock, "SMS_SENDER": sms,
                  "SMS_KICK": False, "CODE_PEPPER": PEPPER, "SECRET_KEY": "test-secret", "SEAL_KEY": SEAL_KEY,
                  # Offline verifiers cheap and written at the commit, so row counts hold still (ADR 0009).
                  "OFFLINE_SCRYPT_N": 1024, "OFFLINE_VERIFIERS_INLINE": True}
        config.update(overrides)
        app = create_app(config)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class World:
    courier_token: str
    other_courier_token: str
    kiosk_token: str
    other_kiosk_token: str


def seed_world(app: Flask, compartments: str = "S:4,M:3,L:2,XL:1") -> World:
    with app.app_context():
        now = app.extensions["locker.clock"]()
        session = db.session()
        provisioning.create_site(session, now, "MAPO-001", "마포구청 안심택배함", compartments, district="Mapo-gu",
                                 lat=37.5663, lon=126.9019, sms_name="마포구청 안심택배")
        provisioning.create_site(session, now, "MAPO-002", "망원동 안심택배함", "S:2,M:2,L:1,XL:1",
                                 district="Mapo-gu", lat=37.5556, lon=126.9104, sms_name="망원동 안심택배")
        _, courier = provisioning.create_courier(session, now, "Demo Express", "Kim")
        _, other = provisioning.create_courier(session, now, "Other Parcel", "Lee")
        _, kiosk = provisioning.create_kiosk(session, now, "MAPO-001")
        _, other_kiosk = provisioning.create_kiosk(session, now, "MAPO-002")
        session.commit()
    return World(courier, other, kiosk, other_kiosk)


@pytest.fixture
def world(app: Flask) -> World:
    return seed_world(app)


@pytest.fixture
def world_factory() -> Callable[..., World]:
    """seed_world for an app a test made itself with make_app(...)."""
    return seed_world


class Api:
    """The courier and kiosk calls a test makes, with fresh idempotency keys unless given one."""

    def __init__(self, client: FlaskClient, world: World) -> None:
        self.client = client
        self.world = world

    def _post(self, path: str, body: Any = None, token: str | None = None, key: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.world.courier_token}",
                   "Idempotency-Key": key or uuid.uuid4().hex}
        return self.client.post(path, json=body, headers=headers)

    def reserve(self, site: str = "MAPO-001", size: str = "S", *, phone: str = "010-1234-5678",
                tracking: str | None = None, accessible: bool = False, token: str | None = None,
                key: str | None = None) -> Any:
        body = {"tracking_number": tracking or f"TRK{uuid.uuid4().hex[:10]}", "recipient_phone": phone,
                "size": size, "accessible": accessible}
        return self._post(f"/api/v1/sites/{site}/reservations", body, token, key)

    def deposit(self, parcel_id: str, token: str | None = None, key: str | None = None) -> Any:
        return self._post(f"/api/v1/parcels/{parcel_id}/deposit", None, token, key)

    def cancel(self, parcel_id: str, token: str | None = None, key: str | None = None) -> Any:
        return self._post(f"/api/v1/parcels/{parcel_id}/cancel", None, token, key)

    def get(self, parcel_id: str, token: str | None = None) -> Any:
        return self.client.get(f"/api/v1/parcels/{parcel_id}",
                               headers={"Authorization": f"Bearer {token or self.world.courier_token}"})

    def pickup(self, code: str, token: str | None = None, **extra: Any) -> Any:
        return self.client.post("/kiosk/v1/pickup", json={"code": code, **extra},
                                headers={"Authorization": f"Bearer {token or self.world.kiosk_token}"})


@pytest.fixture
def api(client: FlaskClient, world: World) -> Api:
    return Api(client, world)


@pytest.fixture
def held_reservations(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    """(entered, release): every reservation waits inside the service, after its Idempotency-Key is
    claimed, until `release` is set; `entered` says one got there. For duplicates sent meanwhile."""
    import threading

    import locker_app.services.parcels as parcels_service

    entered, release = threading.Event(), threading.Event()
    real_reserve = parcels_service.reserve

    def slow_reserve(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        assert release.wait(20)
        return real_reserve(*args, **kwargs)

    monkeypatch.setattr(parcels_service, "reserve", slow_reserve)
    yield entered, release
    release.set()


def code_from(body: str) -> str:
    import re

    found = re.findall(r"(?<!\d)\d{8}(?!\d)", body)
    assert len(found) == 1, body
    return found[0]


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        session = db.session()
        counts = {t.name: session.scalar(sa.select(sa.func.count()).select_from(t)) or 0
                  for t in db.metadata.sorted_tables}
        session.rollback()
        return counts
