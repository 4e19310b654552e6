"""Making codes' verifiers: noted in the code's own transaction, hashed by the scheduler (ADR 0015).

scrypt at the chosen parameters costs ~0.1 s of CPU a code (ADR 0009). A morning wave issues 40 codes a
second: 4 cores' worth of hashing. Done in the web workers (as it first was, in a thread after the commit),
it took both cores of a 2-core host from the couriers and the kiosks, and lived only in the worker's memory,
so a worker recycled by gunicorn's max_requests took its backlog with it. So issue_code_for seals the code
(AES-GCM, as the outbox does: never in clear at rest) into offline_pending_verifiers in the deposit's
transaction, one small insert; the scheduler's `offline-verifiers` job opens, hashes and deletes them, in one
hashing thread at the lowest CPU priority, so that it uses only what the web and the relay leave. A code is
pickable offline once its verifier is made, within seconds when the host is quiet and after the wave when it
is not; online pickup never waits for it.

OFFLINE_VERIFIERS_INLINE (tests, and a host without a scheduler) hashes at once after the commit instead.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy import bindparam, delete, event, insert, select
from sqlalchemy.orm import Session

from ..extensions import current_session, db
from ..models import AccessCode, Parcel, Site
from ..sealing.keys import SealError, SealKeys, current_seal_keys
from ..services.phones import last_four
from ..web.transaction import after_commit
from . import sites
from .models import OfflineVerifier, PendingVerifier
from .scheme import Params, params_from, verifier

log = logging.getLogger(__name__)

_INLINE = "offline_codes_inline"
BATCH = 20  # codes read, hashed and written per round: one short write transaction per 2 s of hashing
_INSERT_PENDING = insert(PendingVerifier).values(
    code_id=bindparam("code_id"), code_sealed=bindparam("code_sealed"), queued_at=bindparam("queued_at"))


def seal_context(code_id: int) -> str:
    return f"offline-verifier:{code_id}"


def note_code(session: Session, code_id: int, code: str, now: datetime) -> None:
    """Called where a code is issued, in its transaction: its verifier is made later, from the sealed code."""
    session.connection().execute(_INSERT_PENDING, {
        "code_id": code_id, "code_sealed": current_seal_keys().seal(code, seal_context(code_id)), "queued_at": now})
    if has_app_context() and current_app.config.get("OFFLINE_VERIFIERS_INLINE"):
        session.info[_INLINE] = current_app._get_current_object()  # type: ignore[attr-defined]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    app = session.info.pop(_INLINE, None)
    if app is None:
        return
    if has_request_context():
        # after_commit fires while this session still holds its connection: hashing now would take a second
        # one. Once the request's commit has returned its connection (web/transaction.py), there is one to spare.
        after_commit(functools.partial(_make_inline, app))
    else:
        _make_inline(app)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_INLINE, None)


def _make_inline(app: Flask) -> None:
    try:
        with app.app_context():
            make_pending(current_session(), app.extensions["locker.clock"](), params_from(app.config),
                         current_seal_keys(), hash_here=True)
            db.session.remove()
    except Exception:
        log.exception("could not make offline verifiers")


@dataclass(frozen=True)
class _Pending:
    code_id: int
    code_sealed: str
    site_id: int
    kind: str
    active: bool
    phone_suffix: str | None


_READ_PENDING = (
    select(PendingVerifier.code_id, PendingVerifier.code_sealed, AccessCode.site_id, AccessCode.kind,
           AccessCode.active, Parcel.recipient_phone, Site.require_phone_suffix)
    .join(AccessCode, AccessCode.id == PendingVerifier.code_id)
    .join(Parcel, Parcel.id == AccessCode.parcel_id).join(Site, Site.id == AccessCode.site_id)
    .order_by(PendingVerifier.queued_at, PendingVerifier.code_id)
    .limit(bindparam("limit")))


def _lowest_priority() -> None:
    # On Linux a thread's nice value is its own (setpriority on its thread id), so this thread alone yields to
    # the web workers, the relay and PostgreSQL; elsewhere it keeps the process's.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


_hasher: ThreadPoolExecutor | None = None
_hasher_lock = threading.Lock()


def _hashing_thread() -> ThreadPoolExecutor:
    global _hasher
    with _hasher_lock:
        if _hasher is None:
            _hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="offline-hasher",
                                         initializer=_lowest_priority)
        return _hasher


def make_pending(session: Session, now: datetime, params: Params, seals: SealKeys, limit: int = BATCH,
                 hash_here: bool = False) -> int:
    """One round: read up to `limit` pending codes, hash them with no transaction open, write the verifiers and
    drop the rows in one short transaction. Returns how many rows it settled (made, or dropped as not needed).
    Two schedulers at once may hash a code twice; the second write replaces the first with the same value."""
    found = [_Pending(r.code_id, r.code_sealed, r.site_id, r.kind, r.active,
                      last_four(r.recipient_phone) if r.kind == "pickup" and r.require_phone_suffix else None)
             for r in session.execute(_READ_PENDING, {"limit": limit})]
    if not found:
        session.rollback()
        return 0
    settings = {site_id: sites.setting(session, now, site_id) for site_id in {p.site_id for p in found}}
    salts = {site_id: (s.salt if s.enabled else None) for site_id, s in settings.items()}
    session.commit()  # the new sites' salts; nothing is held while hashing

    def one(item: _Pending) -> str | None:
        salt = salts[item.site_id]
        if not item.active or salt is None:
            return None
        try:
            code = seals.open(item.code_sealed, seal_context(item.code_id))
        except SealError:
            log.warning("the sealed code of offline verifier %s does not open; it is dropped", item.code_id)
            return None
        return verifier(code, bytes.fromhex(salt), params, item.phone_suffix)

    made = [one(item) for item in found] if hash_here else list(_hashing_thread().map(one, found))
    for item, value in zip(found, made, strict=True):
        salt = salts[item.site_id]
        if value is not None and salt is not None:
            session.merge(OfflineVerifier(code_id=item.code_id, site_id=item.site_id, kind=item.kind, verifier=value,
                                          with_phone_suffix=item.phone_suffix is not None, salt=salt,
                                          params=params.label, created_at=now))
    session.execute(delete(PendingVerifier).where(PendingVerifier.code_id.in_([item.code_id for item in found])))
    session.commit()
    return len(found)


def drain(session: Session, clock: Callable[[], datetime], params: Params, seals: SealKeys,
          budget_seconds: float = 20.0) -> int:
    """The scheduler's job: rounds until nothing is pending or the budget is spent (the next run goes on)."""
    started, settled = time.monotonic(), 0
    while time.monotonic() - started < budget_seconds:
        done = make_pending(session, clock(), params, seals)
        settled += done
        if done < BATCH:
            break
    return settled
