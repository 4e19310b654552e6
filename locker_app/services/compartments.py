"""Compartments as an admin sees them, and taking one out of service or back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from ..models import Compartment, Event, Parcel, Site, parcel_active
from . import events
from .errors import InvalidInput, NotFound, ServiceError
from .occupancy import DISABLE_ACTION, ENABLE_ACTION, FAULT_ACTIONS, latest_status_events
from .parcels import find_site

REASON_MAX = 200  # every operator or kiosk reason (doors, remote opens, out-of-service), and the OpenAPI document
REASON_MIN_REQUIRED = 3


class CompartmentConflict(ServiceError):
    status = 409
    slug = "compartment-state"
    title = "The compartment is not in a state that allows this"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def check_reason(raw: object, *, required: bool, least: int = REASON_MIN_REQUIRED) -> str:
    """The reason stripped, or InvalidInput saying what is wrong with it (not always "too long")."""
    if raw is None and not required:
        return ""
    if not isinstance(raw, str):
        raise InvalidInput("reason must be text", field="reason")
    # Checked before stripping, as the OpenAPI document's pattern says: a trailing line break is refused too.
    if not raw.isprintable():
        raise InvalidInput("reason may hold only printable characters: no line breaks, tabs or other control "
                           "characters", field="reason")
    text = raw.strip()
    if len(text) > REASON_MAX:
        raise InvalidInput(f"reason must be at most {REASON_MAX} characters (it has {len(text)})", field="reason")
    if required and len(text) < least:
        raise InvalidInput(f"give a reason of at least {least} characters", field="reason")
    return text


def _reason(raw: object, *, required: bool) -> str:
    return check_reason(raw, required=required)


def status_of(in_service: bool, parcel_state: str | None) -> str:
    if not in_service:
        return "disabled"
    if parcel_state == "reserved":
        return "reserved"
    return "occupied" if parcel_state in ("stored", "expired") else "free"


def _why_off(event: Event | None) -> dict[str, Any]:
    if event is None or event.action == ENABLE_ACTION:  # taken out of service some other way
        return {"fault": False, "reason": None, "at": None, "by": None}
    return {"fault": event.action in FAULT_ACTIONS, "reason": (event.detail or {}).get("reason"),
            "at": _iso(event.at), "by": event.actor}


def compartment_rows(session: Session, site: Site) -> list[dict[str, Any]]:
    """Every compartment of the site with its state, its parcel and why it is out of service."""
    latest = latest_status_events([site.id])
    last_event = aliased(Event)
    rows = session.execute(
        select(Compartment, Parcel.id, Parcel.tracking_number, Parcel.state, last_event)
        .outerjoin(Parcel, and_(Parcel.compartment_id == Compartment.id, parcel_active()))
        .outerjoin(latest, latest.c.compartment_id == Compartment.id)
        .outerjoin(last_event, last_event.id == latest.c.event_id)
        .where(Compartment.site_id == site.id)
        .order_by(Compartment.label)
    )
    found = []
    for compartment, parcel_id, tracking, parcel_state, event in rows:
        off = not compartment.in_service
        found.append({
            "site": site.code,
            "label": compartment.label,
            "size": compartment.size,
            "accessible": compartment.accessible,
            "in_service": compartment.in_service,
            "status": status_of(compartment.in_service, parcel_state),
            "parcel": {"parcel_id": parcel_id, "tracking_number": tracking, "state": parcel_state}
            if parcel_id else None,
            "last_used_at": _iso(compartment.last_used_at),
            "disabled": _why_off(event) if off else None,
        })
    return found


def _locked(session: Session, site_code: str, label: str) -> tuple[Site, Compartment]:
    site = find_site(session, site_code)
    compartment = session.scalar(
        select(Compartment).where(Compartment.site_id == site.id, Compartment.label == label.upper())
        .with_for_update(of=Compartment)
    )
    if compartment is None:
        raise NotFound(f"site {site.code} has no compartment {label!r}")
    return site, compartment


def _active_parcel_state(session: Session, compartment: Compartment) -> str | None:
    return session.scalar(select(Parcel.state).where(Parcel.compartment_id == compartment.id,
                                                     parcel_active()))


def disable(session: Session, now: datetime, actor: str, site_code: str, label: str, reason: object) -> Compartment:
    """Take a door out of service: assignment skips it from the next reservation on. A parcel
    already inside stays where it is (and can still be picked up)."""
    text = _reason(reason, required=True)
    site, compartment = _locked(session, site_code, label)
    if not compartment.in_service:
        raise CompartmentConflict(f"{site.code} {compartment.label} is out of service already")
    compartment.in_service = False
    events.record(session, now, actor, DISABLE_ACTION, site_id=site.id, compartment_id=compartment.id,
                  reason=text, parcel_state=_active_parcel_state(session, compartment))
    return compartment


def enable(session: Session, now: datetime, actor: str, site_code: str, label: str,
           reason: object = None) -> Compartment:
    text = _reason(reason, required=False)
    site, compartment = _locked(session, site_code, label)
    if compartment.in_service:
        raise CompartmentConflict(f"{site.code} {compartment.label} is in service already")
    compartment.in_service = True
    events.record(session, now, actor, ENABLE_ACTION, site_id=site.id, compartment_id=compartment.id,
                  **({"reason": text} if text else {}))
    return compartment
