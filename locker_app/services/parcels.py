"""A parcel's life on the courier's side: reserve, deposit, cancel, look up."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import PARCEL_STATES, SIZES, Courier, Parcel, Site
from ..sms.outbox import queue_message
from ..sms.templates import local_time, render
from . import events
from .assignment import alternatives, assign_compartment
from .codes import Peppers
from .errors import InvalidInput, InvalidState, LockerFull, NotFound, ReservationExpired
from .issue_codes import issue_code, void_codes
from .phones import normalize_phone


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def parcel_view(parcel: Parcel) -> dict[str, Any]:
    return {
        "parcel_id": parcel.id,
        "site": parcel.site.code,
        "compartment": parcel.compartment.label,
        "size": parcel.compartment.size,
        "size_requested": parcel.size_requested,
        "accessible": parcel.accessible_requested,
        "tracking_number": parcel.tracking_number,
        "state": parcel.state,
        "notification_failed": parcel.notification_failed,
        "created_at": _iso(parcel.created_at),
        "reserved_until": _iso(parcel.reserved_until),
        "deposited_at": _iso(parcel.deposited_at),
        "free_until": _iso(parcel.free_until),
        "pickup_deadline": _iso(parcel.pickup_deadline),
        "picked_up_at": _iso(parcel.picked_up_at),
        "cancelled_at": _iso(parcel.cancelled_at),
        "expired_at": _iso(parcel.expired_at),
        "returned_at": _iso(parcel.returned_at),
    }


def find_site(session: Session, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound(f"there is no site {code!r}")
    return site


def _tracking_number(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 64 or not value.isprintable():
        raise InvalidInput("tracking_number must be a non-empty string of at most 64 characters",
                           field="tracking_number")
    return value.strip()


def reserve(
    session: Session,
    now: datetime,
    courier: Courier,
    site_code: str,
    *,
    tracking_number: object,
    recipient_phone: object,
    size: object,
    accessible: object = False,
) -> Parcel:
    site = find_site(session, site_code)
    if size not in SIZES:
        raise InvalidInput(f"size must be one of {', '.join(SIZES)}", field="size")
    if not isinstance(accessible, bool):
        raise InvalidInput("accessible must be true or false", field="accessible")
    tracking = _tracking_number(tracking_number)
    phone = normalize_phone(recipient_phone, site.country)
    assert isinstance(size, str)

    compartment = assign_compartment(session, site.id, size, accessible)
    if compartment is None:
        raise LockerFull(
            f"site {site.code} has no free {'accessible ' if accessible else ''}compartment of size {size} "
            "or larger",
            alternatives=alternatives(session, site, size, accessible),
        )
    parcel = Parcel(
        site=site,
        compartment=compartment,
        carrier_id=courier.carrier_id,
        courier=courier,
        tracking_number=tracking,
        recipient_phone=phone,
        size_requested=size,
        accessible_requested=accessible,
        state="reserved",
        created_at=now,
        reserved_until=now + timedelta(minutes=site.reservation_hold_minutes),
    )
    session.add(parcel)
    session.flush()
    events.record(session, now, f"courier:{courier.id}", "parcel.reserved", site_id=site.id,
                  compartment_id=compartment.id, parcel_id=parcel.id, size=compartment.size)
    return parcel


def get_for_carrier(session: Session, courier: Courier, parcel_id: str, *, lock: bool = False) -> Parcel:
    query = (
        select(Parcel)
        .where(Parcel.id == parcel_id, Parcel.carrier_id == courier.carrier_id)
        # Every caller shows the site and the compartment: in the same round trip, not two more.
        .options(joinedload(Parcel.site, innerjoin=True), joinedload(Parcel.compartment, innerjoin=True))
    )
    if lock:
        query = query.with_for_update(of=Parcel)
    parcel = session.scalar(query)
    if parcel is None:
        # Another carrier's parcel looks the same as none at all.
        raise NotFound("there is no such parcel")
    return parcel


def delivery_text(parcel: Parcel, code: str) -> tuple[str, int | None]:
    """The delivery SMS (also sent again on a resend): the site, when the parcel came, its code, how long
    it stays free; and where the code sits in the text."""
    site = parcel.site
    assert parcel.deposited_at is not None and parcel.free_until is not None
    return render("delivery", site.language, code=code, site=site.sms_name,
                  at=local_time(parcel.deposited_at, site.timezone),
                  free_until=local_time(parcel.free_until, site.timezone))


def deposit(session: Session, now: datetime, courier: Courier, parcel_id: str, pepper: Peppers | str) -> Parcel:
    parcel = get_for_carrier(session, courier, parcel_id, lock=True)
    if parcel.state != "reserved":
        raise InvalidState(f"the parcel is {parcel.state}, not reserved", state=parcel.state)
    assert parcel.reserved_until is not None
    if parcel.reserved_until < now:
        # A refused request changes nothing; the reservation job releases the compartment.
        raise ReservationExpired("the reservation ran out before the deposit; reserve again")

    site = parcel.site
    parcel.state = "stored"
    parcel.deposited_at = now
    parcel.free_until = now + timedelta(hours=site.free_hours)
    parcel.pickup_deadline = now + timedelta(days=site.expiry_days)
    parcel.compartment.last_used_at = now
    code = issue_code(session, parcel, "pickup", pepper, now)
    body, offset = delivery_text(parcel, code)
    assert parcel.recipient_phone is not None
    queue_message(session, now, kind="delivery", to=parcel.recipient_phone, body=body, code_offset=offset,
                  parcel_id=parcel.id, site_id=site.id)
    events.record(session, now, f"courier:{courier.id}", "parcel.deposited", site_id=site.id,
                  compartment_id=parcel.compartment_id, parcel_id=parcel.id)
    return parcel


def release_reservation(session: Session, now: datetime, parcel: Parcel, *, actor: str) -> None:
    parcel.state = "cancelled"
    parcel.cancelled_at = now
    void_codes(session, parcel.id)
    events.record(session, now, actor, "parcel.cancelled", site_id=parcel.site_id,
                  compartment_id=parcel.compartment_id, parcel_id=parcel.id)


def cancel(session: Session, now: datetime, courier: Courier, parcel_id: str) -> Parcel:
    parcel = get_for_carrier(session, courier, parcel_id, lock=True)
    if parcel.state != "reserved":
        raise InvalidState(f"only a reserved parcel can be cancelled; this one is {parcel.state}",
                           state=parcel.state)
    release_reservation(session, now, parcel, actor=f"courier:{courier.id}")
    return parcel


def list_for_carrier(
    session: Session,
    courier: Courier,
    *,
    state: str | None = None,
    site_code: str | None = None,
    tracking_number: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Parcel]:
    query = select(Parcel).where(Parcel.carrier_id == courier.carrier_id)
    if state is not None:
        if state not in PARCEL_STATES:
            raise InvalidInput(f"state must be one of {', '.join(PARCEL_STATES)}", field="state")
        query = query.where(Parcel.state == state)
    if site_code is not None:
        query = query.where(Parcel.site_id == find_site(session, site_code).id)
    if tracking_number is not None:
        query = query.where(Parcel.tracking_number == tracking_number)
    query = query.order_by(Parcel.created_at.desc(), Parcel.id).limit(limit).offset(offset)
    return list(session.scalars(query))
