"""Idempotency keys: a retried POST gets the first answer instead of doing the work twice."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
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
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def claim(session: Session, now: datetime, courier_id: int, key: str, fingerprint: str,
          ttl: timedelta) -> IdempotencyRecord | Replay:
    """Start a request under `key`, or say how an earlier one with that key ended."""
    record = session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.courier_id == courier_id, IdempotencyRecord.key == key)
    )
    if record is not None and record.expires_at <= now:
        session.delete(record)
        session.flush()
        record = None
    if record is not None:
        if not digests_match(record.request_hash, fingerprint):
            raise KeyReused("send a new Idempotency-Key for a new request")
        if record.state == "running" or record.response_status is None or record.response_body is None:
            raise KeyInUse("wait for the first request to finish, then retry")
        return Replay(record.response_status, record.response_body)
    record = IdempotencyRecord(courier_id=courier_id, key=key, request_hash=fingerprint, state="running",
                               created_at=now, expires_at=now + ttl)
    session.add(record)
    session.flush()
    return record


def complete(session: Session, record_id: int, status: int, body: str) -> None:
    record = session.get(IdempotencyRecord, record_id)
    if record is not None:
        record.state = "done"
        record.response_status = status
        record.response_body = body


def release(session: Session, record_id: int) -> None:
    """Forget a key whose request changed nothing, so that the client may retry it. A record that is done
    stays: when a commit's outcome was unknown and it did go through, the retry gets the stored answer."""
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id,
                                                    IdempotencyRecord.state == "running"))


def purge_expired(session: Session, now: datetime) -> int:
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
