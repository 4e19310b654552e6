"""What admins search: parcels, the audit trail and the SMS outbox; phone numbers always masked.

Rows come back as plain dicts (times as aware datetimes); the blueprint shapes them for JSON, HTML and
CSV. No message body is ever returned: once sent it is masked, but before that it holds the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ..models import PARCEL_STATES, Admin, Compartment, Event, Message, Parcel, Site
from .errors import InvalidInput, NotFound
from .parcels import find_site, parcel_view
from .phones import mask_phone

# The outbox's kinds (parcels.py, storage.py, resend.py): the admin filter and the OpenAPI enum say them.
MESSAGE_KINDS = ("delivery", "reminder", "expiry", "resend")
MESSAGE_STATUSES = ("pending", "claimed", "sending", "queued", "accepted", "sent", "delivered", "undelivered", "failed")
# Numbers that may have slipped into free-text event details: E.164, and Korean mobiles as typed.
_PHONE = re.compile(r"\+[1-9]\d{7,14}|(?<!\d)01[016789]-?\d{3,4}-?\d{4}(?!\d)")


def _hides_last_four(session: Session | None, site_id: int | None) -> bool:
    """A viewer does not see the last four digits where the site takes them as a second factor at pickup
    (the admin scope, resolved per request, knows which sites those are)."""
    from ..scope.orm import active

    scope = active(session) if session is not None else None
    return scope is not None and scope.hides_last_four(site_id)


def mask_for(session: Session | None, site_id: int | None, e164: str | None) -> str | None:
    masked = mask_phone(e164)
    if masked and _hides_last_four(session, site_id):
        return masked[:-4] + "****"
    return masked


def _mask_match(match: re.Match[str], hide_last_four: bool = False) -> str:
    found = match.group(0)
    masked = (mask_phone(found) or "****") if found.startswith("+") else "***-****-" + found[-4:]
    return masked[:-4] + "****" if hide_last_four and masked != "****" else masked


def scrub(value: Any, hide_last_four: bool = False) -> Any:
    """Mask anything that looks like a phone number, however deep in an event's detail."""
    if isinstance(value, str):
        return _PHONE.sub(lambda m: _mask_match(m, hide_last_four), value)
    if isinstance(value, dict):
        return {k: scrub(v, hide_last_four) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, hide_last_four) for v in value]
    return value


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _site_id(session: Session, site_code: str | None) -> int | None:
    return find_site(session, site_code).id if site_code else None


# --- parcels ---------------------------------------------------------------------------------------

def admin_parcel_view(parcel: Parcel) -> dict[str, Any]:
    return {**parcel_view(parcel), "site_name": parcel.site.name,
            "recipient": mask_for(object_session(parcel), parcel.site_id, parcel.recipient_phone)}


def search_parcels(session: Session, *, tracking_number: str | None = None, state: str | None = None,
                   site_code: str | None = None, page: Page = Page()) -> list[Parcel]:
    query = select(Parcel)
    if tracking_number:
        # A prefix, so that an operator can type the start of a long number.
        query = query.where(Parcel.tracking_number.like(_escape_like(tracking_number.strip()) + "%", escape="\\"))
    if state:
        if state not in PARCEL_STATES:
            raise InvalidInput(f"state must be one of {', '.join(PARCEL_STATES)}", field="state")
        query = query.where(Parcel.state == state)
    site_id = _site_id(session, site_code)
    if site_id is not None:
        query = query.where(Parcel.site_id == site_id)
    query = query.order_by(Parcel.created_at.desc(), Parcel.id).limit(page.limit).offset(page.offset)
    return list(session.scalars(query))


def get_parcel(session: Session, parcel_id: str) -> Parcel:
    parcel = session.get(Parcel, parcel_id)
    if parcel is None:
        raise NotFound("there is no such parcel")
    return parcel


# --- events ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventFilter:
    site_code: str | None = None
    action: str | None = None
    actor: str | None = None
    parcel_id: str | None = None
    compartment: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _admin_names(session: Session) -> dict[str, str]:
    return {f"admin:{admin_id}": name for admin_id, name in session.execute(select(Admin.id, Admin.username))}


def search_events(session: Session, where: EventFilter, page: Page = Page()) -> list[dict[str, Any]]:
    query = (
        select(Event, Site.code, Site.timezone, Compartment.label, Parcel.tracking_number)
        .outerjoin(Site, Site.id == Event.site_id)
        .outerjoin(Compartment, Compartment.id == Event.compartment_id)
        .outerjoin(Parcel, Parcel.id == Event.parcel_id)
    )
    site_id = _site_id(session, where.site_code)
    if site_id is not None:
        query = query.where(Event.site_id == site_id)
    if where.compartment:
        if site_id is None:
            raise InvalidInput("choose a site to filter by compartment", field="compartment")
        query = query.where(Compartment.label == where.compartment.upper())
    if where.action:
        # `compartment.` finds every compartment event; a full name finds that one action.
        query = query.where(Event.action.like(_escape_like(where.action) + "%", escape="\\"))
    if where.actor:
        query = query.where(Event.actor == where.actor)
    if where.parcel_id:
        query = query.where(Event.parcel_id == where.parcel_id)
    if where.since:
        query = query.where(Event.at >= where.since)
    if where.until:
        query = query.where(Event.at < where.until)
    names = _admin_names(session)
    rows = []
    query = query.order_by(Event.at.desc(), Event.id.desc()).limit(page.limit).offset(page.offset)
    for event, site, tz, label, tracking in session.execute(query):
        rows.append({
            "id": event.id,
            "at": event.at,
            "actor": event.actor,
            "actor_name": names.get(event.actor, event.actor),
            "action": event.action,
            "site": site,
            "timezone": tz,
            "compartment": label,
            "parcel_id": event.parcel_id,
            "tracking_number": tracking,
            "detail": scrub(event.detail or {}, _hides_last_four(session, event.site_id)),
        })
    return rows


# --- messages --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MessageFilter:
    site_code: str | None = None
    status: str | None = None
    kind: str | None = None
    parcel_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search_messages(session: Session, where: MessageFilter, page: Page = Page()) -> list[dict[str, Any]]:
    query = (
        select(Message, Site.code, Site.timezone, Parcel.tracking_number)
        .outerjoin(Site, Site.id == Message.site_id)
        .outerjoin(Parcel, Parcel.id == Message.parcel_id)
    )
    site_id = _site_id(session, where.site_code)
    if site_id is not None:
        query = query.where(Message.site_id == site_id)
    if where.status:
        if where.status not in MESSAGE_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(MESSAGE_STATUSES)}", field="status")
        query = query.where(Message.status == where.status)
    if where.kind:
        if where.kind not in MESSAGE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(MESSAGE_KINDS)}", field="kind")
        query = query.where(Message.kind == where.kind)
    if where.parcel_id:
        query = query.where(Message.parcel_id == where.parcel_id)
    if where.since:
        query = query.where(Message.created_at >= where.since)
    if where.until:
        query = query.where(Message.created_at < where.until)
    rows = []
    query = query.order_by(Message.created_at.desc(), Message.id.desc()).limit(page.limit).offset(page.offset)
    for message, site, tz, tracking in session.execute(query):
        rows.append({
            "id": message.id,
            "created_at": message.created_at,
            "site": site,
            "timezone": tz,
            "parcel_id": message.parcel_id,
            "tracking_number": tracking,
            "kind": message.kind,
            "to": mask_for(session, message.site_id, message.to_phone),
            "status": message.status,
            "error_code": message.error_code,
            "attempts": message.attempts,
            "segments": message.segments,
            "sent_at": message.sent_at,
            "updated_at": message.updated_at,
        })
    return rows
