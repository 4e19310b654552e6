"""Courier sessions at a kiosk: opened by a sign-in, bound to that kiosk, ended after IDLE without use."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..models import Courier, Kiosk
from ..services import events
from ..services.tokens import new_token, token_digest
from .errors import SessionElsewhere, SessionExpired, SessionRequired
from .models import CourierSession

IDLE = timedelta(minutes=5)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def open_session(session: Session, now: datetime, kiosk: Kiosk, courier: Courier) -> dict[str, Any]:
    """The answer to a sign-in; the token is clear only in it (stored as a digest, like API tokens)."""
    token = new_token()
    session.add(CourierSession(id=token_digest(token), courier_id=courier.id, kiosk_id=kiosk.id, created_at=now,
                               last_used_at=now))
    session.flush()
    return {"session": token, "expires_at": _iso(now + IDLE),
            "courier": {"name": courier.name, "carrier": courier.carrier.name}}


def resolve(session: Session, now: datetime, kiosk: Kiosk, token: str | None) -> CourierSession:
    """The live session this kiosk sent, its idle time restarted; else a problem saying what is wrong."""
    if not token or not token.strip():
        raise SessionRequired("send the session from the sign-in as X-Courier-Session")
    found = session.get(CourierSession, token_digest(token.strip()), with_for_update=True)
    if found is None or found.ended_at is not None or found.last_used_at + IDLE <= now or not found.courier.active:
        raise SessionExpired("the session has ended (finished, or idle for 5 minutes); sign in again")
    if found.kiosk_id != kiosk.id:
        raise SessionElsewhere("a courier's session works only at the kiosk where he signed in")
    found.last_used_at = now
    return found


def expires_at(found: CourierSession) -> str:
    return _iso(found.last_used_at + IDLE)


def end(session: Session, now: datetime, found: CourierSession, actor: str) -> None:
    found.ended_at = now
    events.record(session, now, actor, "courier.signed_out", courier_id=found.courier_id)


def end_all(session: Session, now: datetime, courier_id: int) -> None:
    session.execute(update(CourierSession).where(CourierSession.courier_id == courier_id,
                                                 CourierSession.ended_at.is_(None)).values(ended_at=now))
