"""Idempotency keys: a retried POST gets the first answer instead of doing the work twice."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Insert, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import IdempotencyRecord
from .codes import digests_match
from .errors import ServiceError


class KeyInUse(ServiceError):
    status = 409
    slug = "idempotency-key-in-use"
    title = "A request with this Idempotency-Key is still being processed"


class KeyReused(ServiceError):
    status = 422
    slug = "idempotency-key-reused"
    title = "This Idempotency-Key was used for a different request"


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """Same method, path and JSON value give the same fingerprint, whatever the spacing or key order."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):  # the view refuses such a body with a 400
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


@dataclass(frozen=True)
class Claimed:
    """The key is ours: the request runs under the record with this id."""

    id: int


def _insert_running(session: Session, now: datetime, courier_id: int, key: str, fingerprint: str,
                    ttl: timedelta) -> int | None:
    """The new record's id, or None when the courier already has a record with this key: one round trip
    for the usual case of a fresh key, instead of a look and then an insert."""
    connection = session.connection()
    # On the connection, not through the session: a Core statement needs none of the ORM's bookkeeping.
    return connection.scalar(_insert_running_record(connection.dialect.name), {
        "courier_id": courier_id, "key": key, "request_hash": fingerprint, "state": "running", "created_at": now,
        "expires_at": now + ttl})


@cache
def _insert_running_record(dialect: str) -> Insert:
    """Built once per dialect, so its compiled form is reused (it runs in every courier POST)."""
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (dialect_insert(IdempotencyRecord).on_conflict_do_nothing(index_elements=["courier_id", "key"])
            .returning(IdempotencyRecord.id))


def claim(session: Session, now: datetime, courier_id: int, key: str, fingerprint: str,
          ttl: timedelta) -> Claimed | Replay:
    """Start a request under `key`, or say how an earlier one with that key ended."""
    for _ in range(3):  # bounded: each turn either claims, answers, or saw the old record vanish
        new_id = _insert_running(session, now, courier_id, key, fingerprint, ttl)
        if new_id is not None:
            return Claimed(new_id)
        record = session.scalar(
            select(IdempotencyRecord).where(IdempotencyRecord.courier_id == courier_id, IdempotencyRecord.key == key)
        )
        if record is None:  # released or purged since our insert met it
            continue
        if record.expires_at <= now:
            session.delete(record)
            session.flush()
            continue
        if not digests_match(record.request_hash, fingerprint):
            raise KeyReused("send a new Idempotency-Key for a new request")
        if record.state == "running" or record.response_status is None or record.response_body is None:
            raise KeyInUse("wait for the first request to finish, then retry")
        return Replay(record.response_status, record.response_body)
    raise KeyInUse("wait for the first request to finish, then retry")


_COMPLETE = update(IdempotencyRecord).where(IdempotencyRecord.id == bindparam("b_record_id"))


def complete(session: Session, record_id: int, status: int, body: str) -> None:
    session.flush()  # what the view left in the session goes first, as a session.execute would have done
    session.connection().execute(_COMPLETE, {"b_record_id": record_id, "state": "done", "response_status": status,
                                             "response_body": body})


def release(session: Session, record_id: int) -> None:
    """Forget a key whose request changed nothing, so that the client may retry it. A record that is done
    stays: when a commit's outcome was unknown and it did go through, the retry gets the stored answer."""
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id,
                                                    IdempotencyRecord.state == "running"))


def purge_expired(session: Session, now: datetime) -> int:
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
