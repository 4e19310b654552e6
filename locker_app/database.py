"""Engine setup: SQLite that behaves for concurrent writers; pooled connections checked only after idling."""

from __future__ import annotations

import contextlib
import os
import stat
from time import monotonic
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

# A connection that sat in the pool longer than this is pinged before use (SQLAlchemy's pool_pre_ping
# would ping on every checkout: a round trip per request and per idempotency claim, for a database restart
# that happens a few times a year). A connection in steady use is not pinged; if the server went away
# meanwhile, the first statement fails, that request answers a clean 503, SQLAlchemy invalidates the whole
# pool, and the next checkouts get fresh connections.
PING_AFTER_IDLE_SECONDS = 10.0


def ping_idle_connections(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["locker_idle_since"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("locker_idle_since")
        if idle_since is None or monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as error:
            # The pool discards this connection and checks out another (documented pessimistic recipe).
            raise exc.DisconnectionError() from error


def _private_files(path: str) -> None:
    """The database and its -wal and -shm files readable by their owner only (0600), whatever the umask: they
    hold phone numbers, and a WAL holds old row versions. SQLite creates -wal and -shm with the database file's
    mode, so the file is made 0600 before SQLite first opens it; files an older version left are narrowed."""
    if path.startswith("file:"):
        return  # a URI filename: its options are SQLite's business
    if not os.path.exists(path):
        with contextlib.suppress(FileNotFoundError):  # its directory is not there yet: SQLite will say so
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(os.stat(name).st_mode) & 0o077:
                os.chmod(name, 0o600)


def configure_engine(engine: Engine) -> None:
    ping_idle_connections(engine)
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")
    if not in_memory:
        _private_files(str(engine.url.database))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would start transactions lazily and DEFERRED; we
        # take over so that every transaction can begin IMMEDIATE below.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            _private_files(str(engine.url.database))
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # SQLite ignores FOR UPDATE: without the write lock taken up front, two transactions can
        # both read a compartment as free and both assign it.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
