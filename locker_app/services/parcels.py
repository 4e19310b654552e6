"""A parcel's life on the courier's side: reserve, deposit, cancel, look up."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import PARCEL_STATES, SIZES, Compartment, Courier, Parcel, Site
from ..sms.outbox import queue_message
from ..sms.templates import local_time, render
from . import events
from .assignment import alternatives, assign_compartment
from .codes import Peppers
from .errors import InvalidInput, InvalidState, LockerFull, NotFound, ReservationExpired
from .issue_codes import issue_code_for, void_codes
from .phones import normalize_phone


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


_VIEW_TIMES = ("created_at", "reserved_until", "deposited_at", "free_until", "pickup_deadline", "picked_up_at",
               "cancelled_at", "expired_at", "returned_at")
_VIEW_COLUMNS = ("id", "size_requested", "accessible_requested", "tracking_number", "state",
                 "notification_failed", *_VIEW_TIMES)


def view_of(parcel: Mapping[str, Any], *, site: str, compartment: str, size: str) -> dict[str, Any]:
    """The courier's view of a parcel, from its column values and its site's and compartment's names."""
    return {
        "parcel_id": parcel["id"],
        "site": site,
        "compartment": compartment,
        "size": size,
        "size_requested": parcel["size_requested"],
        "accessible": parcel["accessible_requested"],
        "tracking_number": parcel["tracking_number"],
        "state": parcel["state"],
        "notification_failed": parcel["notification_failed"],
        **{name: _iso(parcel[name]) for name in _VIEW_TIMES},
    }


def parcel_view(parcel: Parcel) -> dict[str, Any]:
    return view_of({name: getattr(parcel, name) for name in _VIEW_COLUMNS}, site=parcel.site.code,
                   compartment=parcel.compartment.label, size=parcel.compartment.size)


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


# The hot path's statements are built once: SQLAlchemy then reuses each one's cache key and compiled form,
# which cost more to make afresh on every request than the database needs to run them (bench/README.md).
_SITE_FOR_RESERVATION = (select(Site.id, Site.code, Site.country, Site.reservation_hold_minutes)
                         .where(Site.code == bindparam("code")))
_INSERT_PARCEL = insert(Parcel)


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
) -> dict[str, Any]:
    """Hold the best free compartment for a parcel; returns the parcel's view (parcel_id first of all).

    Columns and Core statements rather than ORM objects, here and in deposit: these two run in every
    delivery, and the ORM's unit of work cost more than the SQL itself (bench/README.md)."""
    connection = session.connection()
    site = connection.execute(_SITE_FOR_RESERVATION, {"code": site_code}).first()
    if site is None:
        raise NotFound(f"there is no site {site_code!r}")
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
            alternatives=alternatives(session, find_site(session, site.code), size, accessible),
        )
    parcel: dict[str, Any] = {
        **dict.fromkeys(_VIEW_TIMES),
        "id": uuid.uuid4().hex,
        "site_id": site.id,
        "compartment_id": compartment.id,
        "carrier_id": courier.carrier_id,
        "courier_id": courier.id,
        "tracking_number": tracking,
        "recipient_phone": phone,
        "size_requested": size,
        "accessible_requested": accessible,
        "state": "reserved",
        "notification_failed": False,
        "created_at": now,
        "reserved_until": now + timedelta(minutes=site.reservation_hold_minutes),
    }
    connection.execute(_INSERT_PARCEL, parcel)
    events.record(session, now, f"courier:{courier.id}", "parcel.reserved", site_id=site.id,
                  compartment_id=compartment.id, parcel_id=parcel["id"], size=compartment.size)
    return view_of(parcel, site=site.code, compartment=compartment.label, size=compartment.size)


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
    return _delivery_text(site.language, site.sms_name, site.timezone, parcel.deposited_at, parcel.free_until, code)


def _delivery_text(language: str, sms_name: str, timezone: str, deposited_at: datetime, free_until: datetime,
                   code: str) -> tuple[str, int | None]:
    return render("delivery", language, code=code, site=sms_name, at=local_time(deposited_at, timezone),
                  free_until=local_time(free_until, timezone))


_FOR_DEPOSIT = (
    *(getattr(Parcel, name) for name in _VIEW_COLUMNS), Parcel.site_id, Parcel.compartment_id, Parcel.recipient_phone,
    Site.code.label("site_code"), Site.free_hours, Site.expiry_days, Site.language, Site.sms_name, Site.timezone,
    Compartment.label.label("compartment_label"), Compartment.size.label("compartment_size"),
)
_LOCK_FOR_DEPOSIT = (
    select(*_FOR_DEPOSIT)
    .join(Site, Site.id == Parcel.site_id)
    .join(Compartment, Compartment.id == Parcel.compartment_id)
    .where(Parcel.id == bindparam("parcel_id"), Parcel.carrier_id == bindparam("carrier_id"))
    .with_for_update(of=Parcel)
)
_STORE = update(Parcel).where(Parcel.id == bindparam("b_parcel_id"))
_TOUCH = update(Compartment).where(Compartment.id == bindparam("b_compartment_id"))
_FLAGGED = select(Parcel.notification_failed).where(Parcel.id == bindparam("parcel_id"))


def deposit(session: Session, now: datetime, courier: Courier, parcel_id: str,
            pepper: Peppers | str) -> dict[str, Any]:
    """Store the reserved parcel, give it a code and queue the SMS that carries it; returns the parcel's view."""
    connection = session.connection()
    found = connection.execute(_LOCK_FOR_DEPOSIT, {"parcel_id": parcel_id, "carrier_id": courier.carrier_id}
                               ).mappings().first()
    if found is None:
        raise NotFound("there is no such parcel")  # another carrier's parcel looks the same as none at all
    if found["state"] != "reserved":
        raise InvalidState(f"the parcel is {found['state']}, not reserved", state=found["state"])
    if found["reserved_until"] < now:
        # A refused request changes nothing; the reservation job releases the compartment.
        raise ReservationExpired("the reservation ran out before the deposit; reserve again")

    free_until = now + timedelta(hours=found["free_hours"])
    stored = {"state": "stored", "deposited_at": now, "free_until": free_until,
              "pickup_deadline": now + timedelta(days=found["expiry_days"])}
    connection.execute(_STORE, {"b_parcel_id": parcel_id, **stored})
    connection.execute(_TOUCH, {"b_compartment_id": found["compartment_id"], "last_used_at": now})
    site_id = found["site_id"]
    code = issue_code_for(session, parcel_id, site_id, "pickup", pepper, now)
    body, offset = _delivery_text(found["language"], found["sms_name"], found["timezone"], now, free_until, code)
    queued = queue_message(session, now, kind="delivery", to=found["recipient_phone"], body=body, code_offset=offset,
                           parcel_id=parcel_id, site_id=site_id, carrier_id=courier.carrier_id,
                           courier_id=courier.id)
    events.record(session, now, f"courier:{courier.id}", "parcel.deposited", site_id=site_id,
                  compartment_id=found["compartment_id"], parcel_id=parcel_id)
    # A refused SMS (a cost cap) flagged the parcel inside queue_message, unless the refusal depended on other
    # carriers' SMS to the number (sms/caps.py): the answer says what the parcel row says, nothing more.
    flagged = False
    if queued is None:  # rare: a cap bit
        session.flush()
        flagged = bool(session.connection().scalar(_FLAGGED, {"parcel_id": parcel_id}))
    return view_of({**found, **stored, "notification_failed": found["notification_failed"] or flagged},
                   site=found["site_code"], compartment=found["compartment_label"], size=found["compartment_size"])


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
