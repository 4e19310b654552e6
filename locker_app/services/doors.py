"""What the kiosk reports about its doors: closed (confirming a deposit or pickup) and faults."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Compartment, Parcel, Site, parcel_active
from . import events
from .compartments import check_reason
from .errors import InvalidInput, NotFound

# A door event this soon after a pickup or return belongs to that parcel (the resident is at the door).
RECENT = timedelta(minutes=15)


def find_compartment(session: Session, site_id: int, label: str, *, lock: bool = False) -> Compartment:
    query = select(Compartment).where(Compartment.site_id == site_id, Compartment.label == label)
    if lock:
        query = query.with_for_update(of=Compartment)
    compartment = session.scalar(query)
    if compartment is None:
        raise NotFound(f"this site has no compartment {label!r}")
    return compartment


def parcel_at_door(session: Session, now: datetime, compartment: Compartment) -> Parcel | None:
    """The parcel a door event is about: the one inside, else the one just taken out."""
    active = session.scalar(
        select(Parcel).where(Parcel.compartment_id == compartment.id, parcel_active())
    )
    if active is not None:
        return active
    recent = list(session.scalars(
        select(Parcel).where(Parcel.compartment_id == compartment.id,
                             Parcel.state.in_(("picked_up", "returned")))
        .order_by(Parcel.created_at.desc()).limit(5)
    ))
    taken: list[tuple[datetime, Parcel]] = []
    for parcel in recent:
        at = parcel.picked_up_at or parcel.returned_at
        if at is not None and at >= now - RECENT:
            taken.append((at, parcel))
    return max(taken, key=lambda pair: pair[0])[1] if taken else None


def _reason(value: object) -> str | None:
    if value is None:
        return None
    return check_reason(value, required=False) or None


def door_closed(session: Session, now: datetime, site: Site, label: str, actor: str) -> dict[str, Any]:
    compartment = find_compartment(session, site.id, label)
    parcel = parcel_at_door(session, now, compartment)
    events.record(session, now, actor, "door.closed", site_id=site.id, compartment_id=compartment.id,
                  parcel_id=parcel.id if parcel else None, label=label,
                  parcel_state=parcel.state if parcel else None)
    return {"compartment": label, "door": "closed"}


def door_fault(session: Session, now: datetime, site: Site, label: str, reason: object,
               actor: str) -> dict[str, Any]:
    """Take the compartment out of service and flag its parcel; the door.fault event is the admins' alert."""
    text = _reason(reason)
    compartment = find_compartment(session, site.id, label, lock=True)
    compartment.in_service = False
    parcel = parcel_at_door(session, now, compartment)
    if parcel is not None:
        parcel.door_fault_at = now
    events.record(session, now, actor, "door.fault", site_id=site.id, compartment_id=compartment.id,
                  parcel_id=parcel.id if parcel else None, label=label, reason=text,
                  parcel_state=parcel.state if parcel else None)
    return {"compartment": label, "in_service": False, "parcel_flagged": parcel is not None}


# What the locker agent raises without a person asking: a door open too long, a door opened by no command.
ALERT_KINDS = ("left-open", "forced")


def door_alert(session: Session, now: datetime, site: Site, label: str, kind: object, reason: object,
               actor: str) -> dict[str, Any]:
    """Record a door alert (event door.alert, on the admins' event list); the compartment stays in service,
    because a door left open is closed again by the next person, and a forced one needs a look, not a lock-out."""
    if kind not in ALERT_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(ALERT_KINDS)}", field="kind")
    text = _reason(reason)
    compartment = find_compartment(session, site.id, label)
    parcel = parcel_at_door(session, now, compartment)
    events.record(session, now, actor, "door.alert", site_id=site.id, compartment_id=compartment.id,
                  parcel_id=parcel.id if parcel else None, label=label, kind=str(kind), reason=text,
                  parcel_state=parcel.state if parcel else None)
    return {"compartment": label, "alert": str(kind)}
