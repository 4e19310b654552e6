"""Remote opens with four eyes: an empty compartment opens at once; one holding a stored or expired parcel
needs a second operator (with the site in scope: the admin scope hides it from anyone else) within
APPROVAL_WINDOW, and the recipient is told by SMS when it is approved. Every step is an event."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Parcel, Site
from ..services import events, kiosk_commands
from ..services.compartments import check_reason
from ..services.doors import find_compartment
from ..services.errors import InvalidInput, InvalidState, NotFound, ServiceError
from ..sms.outbox import queue_message
from .models import OpenRequest
from .texts import CATEGORIES, remote_open_text

APPROVAL_WINDOW = timedelta(minutes=15)
HELD_STATES = ("stored", "expired")
SMS_KIND = "remote_open"


class FourEyes(ServiceError):
    status = 403
    slug = "four-eyes"
    title = "Another operator must approve this"


class RequestExpired(ServiceError):
    status = 409
    slug = "open-request-expired"
    title = "The open request expired"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def parse_reason(category: object, reason: object) -> tuple[str, str]:
    """(category, free text). A missing category is `other`: scripts written before categories keep working."""
    category = "other" if category in (None, "") else category
    if not isinstance(category, str) or category not in CATEGORIES:
        raise InvalidInput(f"category must be one of {', '.join(CATEGORIES)}", field="category")
    return category, check_reason(reason, required=True)  # one reason rule for every action (issue 20, 5)


def state_of(request: OpenRequest, now: datetime) -> str:
    return "expired" if request.state == "pending" and now >= request.expires_at else request.state


def request_view(request: OpenRequest, now: datetime) -> dict[str, Any]:
    return {
        "id": request.id,
        "site": request.site.code,
        "compartment": request.compartment.label,
        "category": request.category,
        "reason": request.reason,
        "state": state_of(request, now),
        "requested_by": request.requested_by,
        "requested_at": _iso(request.requested_at),
        "expires_at": _iso(request.expires_at),
        "approved_by": request.approved_by,
        "approved_at": _iso(request.approved_at),
        "command_id": request.command_id,
    }


def _held_parcel(session: Session, compartment_id: int) -> Parcel | None:
    return session.scalar(select(Parcel).where(Parcel.compartment_id == compartment_id,
                                               Parcel.state.in_(HELD_STATES)))


def ask_to_open(session: Session, now: datetime, site: Site, label: str, category: object, reason: object,
                actor: str) -> dict[str, Any]:
    """The contract's answer: the command for an empty door, else {"approval_required", "request"}."""
    kind, text = parse_reason(category, reason)
    compartment = find_compartment(session, site.id, label)
    parcel = _held_parcel(session, compartment.id)
    if parcel is None:
        command = kiosk_commands.queue_remote_open(session, now, site.id, compartment.label, text, actor)
        return {**kiosk_commands.command_view(command), "category": kind}
    request = OpenRequest(site_id=site.id, compartment_id=compartment.id, parcel_id=parcel.id, category=kind,
                          reason=text, state="pending", requested_by=actor, requested_at=now,
                          expires_at=now + APPROVAL_WINDOW)
    session.add(request)
    session.flush()
    events.record(session, now, actor, "door.remote_open_approval_requested", site_id=site.id,
                  compartment_id=compartment.id, parcel_id=parcel.id, label=compartment.label, category=kind,
                  reason=text, request_id=request.id)
    return {"approval_required": True, "request": request_view(request, now)}


def find_request(session: Session, request_id: int, *, lock: bool = False) -> OpenRequest:
    query = select(OpenRequest).where(OpenRequest.id == request_id) if 0 < request_id < 2**63 else None
    if query is not None and lock:
        query = query.with_for_update(of=OpenRequest)
    request = session.scalar(query) if query is not None else None
    if request is None:
        raise NotFound("there is no such open request")
    return request


def approve(session: Session, now: datetime, request_id: int, actor: str) -> dict[str, Any]:
    """Queue the kiosk command and the recipient's SMS. The asker cannot approve (403), a late approval
    does nothing (409), nor does a second one."""
    request = find_request(session, request_id, lock=True)
    if request.requested_by == actor:
        raise FourEyes("you asked for this open; another operator with this site in scope must approve it")
    state = state_of(request, now)
    if state == "expired":
        raise RequestExpired(f"open requests must be approved within {int(APPROVAL_WINDOW.total_seconds() // 60)}"
                             " minutes; ask again")
    if state != "pending":
        raise InvalidState("this open request was approved already", state=state)
    command = kiosk_commands.queue_remote_open(session, now, request.site_id, request.compartment.label,
                                               request.reason, actor)
    request.state, request.approved_by, request.approved_at, request.command_id = "approved", actor, now, command.id
    events.record(session, now, actor, "door.remote_open_approved", site_id=request.site_id,
                  compartment_id=request.compartment_id, parcel_id=request.parcel_id, request_id=request.id,
                  requested_by=request.requested_by, category=request.category, command_id=command.id)
    parcel = session.get(Parcel, request.parcel_id)
    if parcel is not None and parcel.recipient_phone:
        site = request.site
        body = remote_open_text(site.language, site.sms_name, site.timezone, now, request.category)
        queued = queue_message(session, now, kind=SMS_KIND, to=parcel.recipient_phone, body=body,
                               parcel_id=parcel.id, site_id=site.id)
        events.record(session, now, actor, "door.remote_open_recipient_told", site_id=site.id,
                      parcel_id=parcel.id, request_id=request.id, queued=queued is not None)
    return kiosk_commands.command_view(command)


def pending(session: Session, now: datetime) -> list[OpenRequest]:
    """Requests still waiting, oldest first (only the caller's scope: the ORM filter applies)."""
    return list(session.scalars(select(OpenRequest).where(OpenRequest.state == "pending",
                                                          OpenRequest.expires_at > now)
                                .order_by(OpenRequest.requested_at, OpenRequest.id)))
