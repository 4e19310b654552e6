"""Every courier POST runs under an Idempotency-Key."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy.exc import DBAPIError

from ..extensions import current_session
from ..services import idempotency
from ..services.errors import InvalidInput
from ..web.transaction import commit, now, rollback

log = logging.getLogger(__name__)


class MissingKey(InvalidInput):
    slug = "idempotency-key-required"
    title = "Every POST needs an Idempotency-Key header"


def rerun_on_replay(view: Callable[..., Response]) -> Callable[..., Response]:
    """For answers holding a one-time code, which we keep only hashed: the stored answer leaves the
    body out, and a retry with the same key runs the view again (a fresh code that voids the last)."""
    view.rerun_on_replay = True  # type: ignore[attr-defined]
    return view


def _commit_claim() -> None:
    """The claim's transaction wrote only the key's record. Committing it without expiring what the session
    holds spares the view a reload of the courier: one round trip."""
    session = current_session()
    session.expire_on_commit = False
    try:
        commit()
    finally:
        session.expire_on_commit = True


def _release_after_failed_commit(record_id: int) -> None:
    """The connection failed at the commit: the work is rolled back, so the key must not stay 'running'
    (a retry would get 409 for a day). Best effort: the database may still be away."""
    rollback()
    try:
        idempotency.release(current_session(), record_id)
        commit()
    except DBAPIError:
        rollback()
        log.warning("could not release an idempotency key after a failed commit; it expires with its TTL")


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Claim the key in a short transaction of its own, so that a concurrent duplicate sees it
    running (409); then do the work and store the answer in the request's one transaction."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 255 or not key.isprintable():
            raise MissingKey("send a unique Idempotency-Key (at most 255 characters) with every POST")
        courier = g.courier
        fingerprint = idempotency.request_fingerprint(request.method, request.path, request.get_data(cache=True))
        ttl = timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
        # A concurrent insert of the same key cannot raise here: the claim is INSERT ... ON CONFLICT DO NOTHING.
        outcome = idempotency.claim(current_session(), now(), courier.id, key, fingerprint, ttl)
        rerun = getattr(view, "rerun_on_replay", False)
        if isinstance(outcome, idempotency.Replay) and rerun and 200 <= outcome.status < 300:
            rollback()
            response = view(*args, **kwargs)
            commit()
            return response
        if isinstance(outcome, idempotency.Replay):
            rollback()
            response = Response(outcome.body, status=outcome.status, mimetype="application/json")
            response.headers["Idempotent-Replayed"] = "true"
            return response
        record_id = outcome.id
        _commit_claim()
        try:
            response = view(*args, **kwargs)
        except BaseException:
            rollback()
            idempotency.release(current_session(), record_id)
            commit()
            raise
        try:
            if 200 <= response.status_code < 300:
                body = "{}" if rerun else response.get_data(as_text=True)
                idempotency.complete(current_session(), record_id, response.status_code, body)
            else:
                idempotency.release(current_session(), record_id)
            commit()
        except DBAPIError:
            _release_after_failed_commit(record_id)
            raise
        return response

    return wrapper
