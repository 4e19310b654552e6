"""One relay sends at a time, across every process and host.

Each relay bounds its own unrecorded sends by its concurrency (relay.py), but a deployment runs several
relays: the scheduler's and a kick in every web worker (sms/kick.py). A crash of several of them re-sent
the sum of their concurrencies (8 with two relays at 4), where docs/deploy.md promises at most
LOCKER_SMS_RELAY_CONCURRENCY. Taking turns makes that promise hold for the deployment; the
throughput it costs is none in practice, since one relay at concurrency 4 already sends 13-26 SMS/s to
Twilio and a second relay only split the same outbox.

The turn is a lock that dies with its holder, so a crashed relay never blocks the next: on PostgreSQL a
session advisory lock (released when the connection closes), on SQLite an flock on a file beside the
database (released when the process exits). A relay that finds the turn taken sends nothing and returns:
the relay holding it, or the scheduler's next run (every 5 s), sends what is due.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

# pg_try_advisory_lock's key: any number the service uses for nothing else ("SMS relay"), beside the schema's
# hash. Advisory locks are per database, not per schema: with one key, a deployment in one schema (or the bench,
# or the tests) held the turn for another in the same database, whose relays then sent nothing.
ADVISORY_KEY = 0x534D5352
_TAKE = text("SELECT pg_try_advisory_lock(:key, hashtext(current_schema()))")
_GIVE_BACK = text("SELECT pg_advisory_unlock(:key, hashtext(current_schema()))")
_in_memory = threading.Lock()  # an in-memory SQLite database lives in one process


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@contextmanager
def relay_turn(session: Session) -> Iterator[bool]:
    """True while this relay has the turn; False at once if another relay has it."""
    engine = _engine(session)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            mine = bool(connection.scalar(_TAKE, {"key": ADVISORY_KEY}))
            connection.commit()
            try:
                yield mine
            finally:
                if mine:
                    connection.execute(_GIVE_BACK, {"key": ADVISORY_KEY})
                    connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        mine = _in_memory.acquire(blocking=False)
        try:
            yield mine
        finally:
            if mine:
                _in_memory.release()
        return
    descriptor = os.open(f"{database}.relay-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            mine = True
        except BlockingIOError:
            mine = False
        yield mine
    finally:
        os.close(descriptor)  # releases the flock
