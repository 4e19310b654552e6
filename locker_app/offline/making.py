"""Making a code's verifier once the code's transaction has committed, off the request's thread.

scrypt at the chosen parameters costs ~0.1 s of CPU (ADR 0009). Inside issue_code it would hold the
deposit's transaction, and the compartment's and site's locks, that much longer; after the commit on the
request thread it would still add it to every courier's answer. So issue_code_for only notes
(code id, code) on the session; after the commit the note goes to a small worker pool that hashes and
writes the verifier in its own transaction. The plaintext lives in this process's memory only, for the
time of one hash. A process that dies in between leaves that code without a verifier: the parcel is then
not pickable offline (online pickup is unaffected), which ADR 0009 accepts.
"""

from __future__ import annotations

import functools
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AccessCode, Parcel, Site
from ..services.phones import last_four
from ..web.transaction import after_commit
from . import sites
from .models import OfflineVerifier
from .scheme import Params, params_from, verifier

log = logging.getLogger(__name__)

_PENDING = "offline_codes_pending"
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_futures: set[Future[None]] = set()


def note_code(session: Session, code_id: int, code: str) -> None:
    """Called where a code is issued: its verifier is made after the commit, if there is one."""
    if has_app_context():
        session.info.setdefault(_PENDING, []).append((current_app._get_current_object(), code_id, code))  # type: ignore[attr-defined]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for app, code_id, code in session.info.pop(_PENDING, []):
        if not app.config.get("OFFLINE_VERIFIERS_INLINE"):
            _submit(app, code_id, code)
        elif has_request_context():
            # after_commit fires while this session still holds its connection: making the verifier now would
            # take a second one, and 15 concurrent deposits would hold the whole pool waiting for more. Once the
            # request's commit has returned its connection (web/transaction.py), there is one to spare.
            after_commit(functools.partial(make_verifier, app, code_id, code))
        else:
            make_verifier(app, code_id, code)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    # A code issued in a rolled-back transaction never existed. (A savepoint's rollback keeps the note; the
    # worker finds no active code row and makes nothing.)
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def _submit(app: Flask, code_id: int, code: str) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="offline-verifier")
        future = _pool.submit(make_verifier, app, code_id, code)
        _futures.add(future)
    future.add_done_callback(_futures.discard)


def wait_idle(timeout: float = 30.0) -> None:
    """For tests and the CLI: wait until every noted verifier is written."""
    with _pool_lock:
        waiting = list(_futures)
    for future in waiting:
        future.result(timeout=timeout)


def make_verifier(app: Flask, code_id: int, code: str) -> None:
    try:
        with app.app_context():
            _make(db.session(), app.extensions["locker.clock"](), params_from(app.config), code_id, code)
            db.session.remove()
    except Exception:
        # Never the code in the log: only its row id.
        log.exception("could not make the offline verifier of code %s", code_id)


def _make(session: Session, now: Any, params: Params, code_id: int, code: str) -> None:
    found = session.execute(
        select(AccessCode.site_id, AccessCode.kind, AccessCode.active, Parcel.recipient_phone,
               Site.require_phone_suffix)
        .join(Parcel, Parcel.id == AccessCode.parcel_id).join(Site, Site.id == AccessCode.site_id)
        .where(AccessCode.id == code_id)).first()
    if found is None or not found.active:
        session.rollback()
        return
    setting = sites.setting(session, now, found.site_id)
    if not setting.enabled:
        session.commit()
        return
    suffix = last_four(found.recipient_phone) if found.kind == "pickup" and found.require_phone_suffix else None
    session.merge(OfflineVerifier(
        code_id=code_id, site_id=found.site_id, kind=found.kind,
        verifier=verifier(code, bytes.fromhex(setting.salt), params, suffix),
        with_phone_suffix=suffix is not None, salt=setting.salt, params=params.label, created_at=now))
    session.commit()
