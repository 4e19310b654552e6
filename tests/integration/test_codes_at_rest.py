"""No pickup or return code is ever written in plain text (issue 20, design.md "Codes at rest").

Read as an attacker with a copy of the storage would: the raw bytes of SQLite's files (database, -wal,
-shm), and on PostgreSQL the WAL segments written during the test plus a `pg_dump` of the schema. Every
code the test issues (deposits, a resend, a return code, one SMS still waiting in the outbox) must be
absent from all of them, while the rest of what was written (tracking numbers, masked texts) is there.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from locker_app import create_app
from locker_app.extensions import db
from locker_app.sms.senders import SendResult, SmsError
from tests.conftest import PEPPER, PG_URL, Api, RecordingSender, _migrate, seed_world
from tests.integration.sms_support import relay
from tests.integration.storage_helpers import run_jobs

CODE = re.compile(r"(?<!\d)\d{8}(?!\d)")


class DownSender:
    """A provider that is down: it sees the text (so the test learns the code), the message stays waiting."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        self.bodies.append(body)
        raise SmsError("provider down", temporary=True, code=20500)

    def redact(self, sid: str) -> None:
        pass


def issue_codes(app: Flask, api: Api, sms: RecordingSender, clock: Any) -> tuple[set[str], set[str]]:
    """Every way a code reaches the service; returns (codes, tracking numbers)."""
    tracking = {f"TRK{uuid.uuid4().hex[:10].upper()}" for _ in range(3)}
    first, second, third = sorted(tracking)
    parcels = {}
    for number, phone in ((first, "010-1234-5678"), (second, "010-2222-3333")):
        reserved = api.reserve(phone=phone, tracking=number)
        assert reserved.status_code == 201, reserved.get_json()
        parcels[number] = reserved.get_json()["parcel_id"]
        assert api.deposit(parcels[number]).status_code == 200
    relay(app, sms)
    # A resend: a new code, a new SMS.
    resent = api._post(f"/api/v1/parcels/{parcels[first]}/resend", None, None, uuid.uuid4().hex)
    assert resent.status_code == 200, resent.get_json()
    relay(app, sms)
    codes = {code for sent in sms.sent for code in CODE.findall(sent["body"])}
    assert len(codes) == 3
    # The second parcel is picked up with its code; the first one expires and its carrier takes it back.
    second_code = CODE.findall(sms.sent[1]["body"])[0]
    assert api.pickup(second_code).status_code == 200
    clock.advance(days=8)
    run_jobs(app)
    returned = api._post(f"/api/v1/parcels/{parcels[first]}/return", None, None, uuid.uuid4().hex)
    assert returned.status_code == 200, returned.get_json()
    codes.add(returned.get_json()["return_code"])
    assert api.pickup(returned.get_json()["return_code"]).status_code == 200
    # One more SMS that cannot go out yet: it waits in the outbox with its code.
    reserved = api.reserve(phone="010-3333-4444", tracking=third)
    assert api.deposit(reserved.get_json()["parcel_id"]).status_code == 200
    down = DownSender()
    relay(app, down)  # type: ignore[arg-type]
    [waiting] = down.bodies
    codes.update(CODE.findall(waiting))
    assert len(codes) == 5
    return codes, tracking


def assert_none_of(codes: set[str], blob: bytes, where: str) -> None:
    found = sorted(code for code in codes if code.encode() in blob)
    assert found == [], f"{len(found)} of {len(codes)} codes in clear in {where}"


# --- SQLite ------------------------------------------------------------------------------------------

def _sqlite_app(path: Path, clock: Any, sms: RecordingSender) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True, "CLOCK": clock,
                       "SMS_SENDER": sms, "SMS_KICK": False, "CODE_PEPPER": PEPPER, "SECRET_KEY": "test-secret"})


def _files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def test_sqlite_files_hold_none_of_the_codes_and_only_their_owner_may_read_them(tmp_path, clock, sms):
    path = tmp_path / "locker.db"
    old_umask = os.umask(0o022)  # the usual one, under which files are created world-readable
    try:
        _migrate(f"sqlite:///{path}")
        app = _sqlite_app(path, clock, sms)
        api = Api(app.test_client(), seed_world(app))
        codes, tracking = issue_codes(app, api, sms, clock)
        files = _files(path)
        assert [p.name for p in files] == ["locker.db", "locker.db-wal", "locker.db-shm"]
        assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == dict.fromkeys(
            (p.name for p in files), "0o600")
        blob = b"".join(p.read_bytes() for p in files)
        assert all(number.encode() in blob for number in tracking)  # the scan reads what the test wrote
        assert b"********" in blob
        assert_none_of(codes, blob, "the SQLite files")
        with app.app_context():
            db.engine.dispose()
    finally:
        os.umask(old_umask)


def test_an_older_world_readable_sqlite_database_is_narrowed_to_its_owner(tmp_path, clock, sms):
    path = tmp_path / "locker.db"
    _migrate(f"sqlite:///{path}")
    for file in _files(path):
        file.chmod(0o644)
    app = _sqlite_app(path, clock, sms)
    seed_world(app)
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in _files(path)} == {"0o600"}
    with app.app_context():
        db.engine.dispose()


# --- PostgreSQL --------------------------------------------------------------------------------------

def _superuser() -> sa.Engine:
    assert PG_URL
    return sa.create_engine(PG_URL)  # tests run as the postgres superuser (trust auth on this machine)


def _wal_since(engine: sa.Engine, start_lsn: str) -> bytes:
    """The raw WAL segment files from the one holding `start_lsn` to the current one."""
    with engine.connect() as conn:
        # No CHECKPOINT here: it could recycle the first segment. Every commit has written its WAL already.
        first = conn.scalar(sa.text("SELECT pg_walfile_name(CAST(:lsn AS pg_lsn))"), {"lsn": start_lsn})
        last = conn.scalar(sa.text("SELECT pg_walfile_name(pg_current_wal_lsn())"))
        names = list(conn.scalars(sa.text("SELECT name FROM pg_ls_waldir() WHERE name BETWEEN :first AND :last "
                                          "ORDER BY name"), {"first": first, "last": last}))
        assert names and names[0] == first and names[-1] == last, f"segments recycled meanwhile? {first} {last} {names}"
        return b"".join(conn.scalar(sa.text("SELECT pg_read_binary_file('pg_wal/' || :name)"), {"name": name})
                        for name in names)


def _pg_dump(db_url: str) -> bytes:
    url = sa.make_url(db_url)
    schema = re.search(r"search_path=([\w]+)", url.query.get("options", "")).group(1)  # type: ignore[union-attr,arg-type]
    dsn = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", "--schema", schema, "--data-only", dsn], check=True,
                          capture_output=True, timeout=120).stdout


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_postgresql_wal_and_dump_hold_none_of_the_codes(backend, db_url, make_app, clock, sms):
    engine = _superuser()
    try:
        with engine.connect() as conn:
            start = conn.scalar(sa.text("SELECT pg_current_wal_lsn()::text"))
        app = make_app()
        api = Api(app.test_client(), seed_world(app))
        codes, tracking = issue_codes(app, api, sms, clock)
        wal = _wal_since(engine, start)
        assert all(number.encode() in wal for number in tracking)  # the WAL read is the one our writes went to
        assert b"********" in wal
        assert_none_of(codes, wal, "the WAL written during the test")
        dump = _pg_dump(db_url)
        assert all(number.encode() in dump for number in tracking)
        assert_none_of(codes, dump, "pg_dump")
    finally:
        engine.dispose()


def test_a_text_with_a_code_but_no_offset_is_refused_before_it_is_written(app, clock):
    """A new kind of SMS whose caller forgets to say where the code is must not store it in clear."""
    from locker_app.sms.outbox import queue_message

    with app.app_context():
        with pytest.raises(ValueError, match="code_offset"):
            queue_message(db.session(), clock(), kind="lost-code", to="+821012345678", body="Code 48213377.")
        db.session.rollback()
        assert queue_message(db.session(), clock(), kind="lost-code", to="+821012345678", body="Code 48213377.",
                             code_offset=5) is not None
        db.session.commit()
