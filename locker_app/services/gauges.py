"""Numbers for /metrics that live in the database, so every web process reports the same values
whichever process (web worker, scheduler, another host) did the work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..models import Compartment, Event, JobRun, KeypadState, Message, Parcel, Site, parcel_active

NOT_DELIVERED = ("failed", "undelivered")


def occupancy(session: Session) -> list[tuple[str, str, str, int]]:
    """(site code, size, state, count) with state free | reserved | occupied | disabled."""
    state = case(
        (Compartment.in_service.is_(False), "disabled"),
        (Parcel.state == "reserved", "reserved"),
        (Parcel.id.is_not(None), "occupied"),
        else_="free",
    )
    rows = session.execute(
        select(Site.code, Compartment.size, state.label("state"), func.count())
        .select_from(Compartment)
        .join(Site, Site.id == Compartment.site_id)
        .outerjoin(Parcel, and_(Parcel.compartment_id == Compartment.id, parcel_active()))
        .group_by(Site.code, Compartment.size, state)
    ).all()
    return [(code, size, st, int(n)) for code, size, st, n in rows]


def outbox(session: Session, now: datetime) -> dict[str, Any]:
    by_status = dict(session.execute(select(Message.status, func.count()).group_by(Message.status)).all())
    oldest = session.scalar(select(func.min(Message.created_at)).where(Message.status.in_(("pending", "claimed"))))
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return {"by_status": {str(k): int(v) for k, v in by_status.items()}, "oldest_pending_age": age}


def sms_failures(session: Session) -> list[tuple[str, int]]:
    """Messages that did not reach the phone, by the provider's error code ("none" when it gave none)."""
    rows = session.execute(
        select(Message.error_code, func.count()).where(Message.status.in_(NOT_DELIVERED)).group_by(Message.error_code)
    ).all()
    return [("none" if code is None else str(code), int(n)) for code, n in rows]


def keypads(session: Session) -> dict[str, Any]:
    locked = session.scalars(
        select(Site.code).join(KeypadState, KeypadState.site_id == Site.id).where(KeypadState.locked_at.is_not(None))
    ).all()
    locks = session.scalar(select(func.count()).select_from(Event).where(Event.action == "keypad.locked")) or 0
    return {"locked_sites": list(locked), "locks_total": int(locks)}


def job_runs(session: Session) -> list[JobRun]:
    return list(session.scalars(select(JobRun).order_by(JobRun.name)).all())
