"""Cost caps against SMS pumping (someone making us text numbers over and over) and against one carrier
turning our SMS against a resident or against another carrier (docs/adr/0006-sms-caps.md).

Every outbox row counts, sent or not. The caps:
- per parcel (5);
- per number a day, per carrier (LOCKER_SMS_DAILY_CAP_PER_NUMBER, 10): one carrier's deliveries, real or
  fake, use up only that carrier's SMS to the number;
- per number a day, all carriers (LOCKER_SMS_DAILY_CAP_PER_NUMBER_ALL, 30), a backstop that cannot starve a
  carrier: each carrier's first LOCKER_SMS_DAILY_FLOOR_PER_CARRIER (3) SMS of the day to a number pass it.
  A carrier's answer must not depend on other carriers' traffic to the number, so a refusal by the backstop
  is not shown to the courier (no notification_failed): it is an event and an admin alert;
- per courier, per carrier and in total an hour (60, 1000, 5000), each with an `sms.cap_reached` alert
  (once an hour per cap and subject) when it bites.

The counts for one number are taken under a lock on that number (PostgreSQL: a transaction advisory lock;
SQLite: every write transaction is BEGIN IMMEDIATE already), so concurrent deposits to a number cannot all
pass a cap on counts none of them sees. The hourly caps are not locked (that would serialise every deposit):
they can be passed by at most the number of transactions running at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from ..models import Event, Message, Parcel
from ..services import events

CAP_WINDOW = DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)
# Not told to the courier: it depends on what other carriers sent to the number.
HIDDEN_REASONS = frozenset({"daily-number-backstop"})
# Each an admin alert when it bites.
ALERTING_REASONS = frozenset({"courier-hour-cap", "carrier-hour-cap", "total-hour-cap", "daily-number-backstop"})
_LOCK_NAMESPACE = 0x534D53  # "SMS": our advisory locks on numbers, apart from anyone else's


@dataclass(frozen=True)
class SmsCaps:
    per_parcel: int = 5
    per_number_per_day: int = 10  # per carrier
    per_number_per_day_all: int = 30
    floor_per_carrier: int = 3
    per_courier_per_hour: int = 60
    per_carrier_per_hour: int = 1000
    total_per_hour: int = 5000


_SETTINGS = {"per_parcel": "SMS_MAX_PER_PARCEL", "per_number_per_day": "SMS_DAILY_CAP_PER_NUMBER",
             "per_number_per_day_all": "SMS_DAILY_CAP_PER_NUMBER_ALL",
             "floor_per_carrier": "SMS_DAILY_FLOOR_PER_CARRIER",
             "per_courier_per_hour": "SMS_HOURLY_CAP_PER_COURIER",
             "per_carrier_per_hour": "SMS_HOURLY_CAP_PER_CARRIER", "total_per_hour": "SMS_HOURLY_CAP_TOTAL"}


def current_caps() -> SmsCaps:
    """The caps configured on the running app (LOCKER_SMS_*), or the defaults outside one."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return SmsCaps()
    config = current_app.config
    return SmsCaps(**{name: int(config.get(setting, getattr(SmsCaps, name))) for name, setting in _SETTINGS.items()})


def _count(*where: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).select_from(Message).where(*where).scalar_subquery()


def _bounded_count(limit: str, *where: ColumnElement[bool]) -> ScalarSelect[int]:
    """Counting stops at the cap: an hour's count would otherwise read every row of the hour on every deposit."""
    rows = select(literal(1)).select_from(Message).where(*where).limit(bindparam(limit)).subquery()
    return select(func.count()).select_from(rows).scalar_subquery()


# All counts in one round trip, built once: this runs inside every deposit. (`= NULL` counts none.)
_COUNTS = select(
    _count(Message.parcel_id == bindparam("parcel_id")),
    _count(Message.to_phone == bindparam("to"), Message.created_at > bindparam("day"),
           Message.carrier_id.is_not_distinct_from(bindparam("carrier_id"))),
    _count(Message.to_phone == bindparam("to"), Message.created_at > bindparam("day")),
    _bounded_count("courier_cap", Message.courier_id == bindparam("courier_id"),
                   Message.created_at > bindparam("hour")),
    _bounded_count("carrier_cap", Message.carrier_id == bindparam("carrier_id"),
                   Message.created_at > bindparam("hour")),
    # The hour's total from ids, not rows: the newest id minus the hour's first one, two index lookups whatever the
    # volume (counting 5,000 rows took ~1 ms of the database on every deposit). Ids rolled back leave gaps, so this
    # may count a few too many, never too few.
    select(func.max(Message.id)).scalar_subquery()
    - select(Message.id).where(Message.created_at > bindparam("hour")).order_by(Message.created_at)
    .limit(1).scalar_subquery() + 1,
)
_LOCK_NUMBER = text("SELECT pg_advisory_xact_lock(:namespace, :key)")
_CARRIER_OF_PARCEL = select(Parcel.carrier_id).where(Parcel.id == bindparam("parcel_id"))


def carrier_of(session: Session, parcel_id: str) -> int | None:
    carrier_id: int | None = session.connection().scalar(_CARRIER_OF_PARCEL, {"parcel_id": parcel_id})
    return carrier_id


def lock_number(session: Session, to: str) -> None:
    """Until the transaction ends, no other transaction counts or queues SMS to this number."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(to.encode()).digest()[:4], "big", signed=True)
        connection.execute(_LOCK_NUMBER, {"namespace": _LOCK_NAMESPACE, "key": key})


def refusal(session: Session, now: datetime, to: str, parcel_id: str | None, caps: SmsCaps, *,
            carrier_id: int | None = None, courier_id: int | None = None) -> str | None:
    """Why one more message may not be queued, or None if it may. Takes the number's lock first.
    `carrier_id` defaults to the parcel's."""
    lock_number(session, to)
    if carrier_id is None and parcel_id is not None:
        carrier_id = carrier_of(session, parcel_id)
    for_parcel, carrier_number, all_number, courier_hour, carrier_hour, total_hour = session.connection().execute(
        _COUNTS, {"parcel_id": parcel_id, "to": to, "day": now - DAY, "hour": now - HOUR, "carrier_id": carrier_id,
                  "courier_id": courier_id, "courier_cap": caps.per_courier_per_hour,
                  "carrier_cap": caps.per_carrier_per_hour}).one()
    if (for_parcel or 0) >= caps.per_parcel:
        return "parcel-cap"
    if (total_hour or 0) >= caps.total_per_hour:
        return "total-hour-cap"
    if carrier_id is not None and (carrier_hour or 0) >= caps.per_carrier_per_hour:
        return "carrier-hour-cap"
    if courier_id is not None and (courier_hour or 0) >= caps.per_courier_per_hour:
        return "courier-hour-cap"
    if (carrier_number or 0) >= caps.per_number_per_day:
        return "daily-number-cap"
    if (carrier_number or 0) >= caps.floor_per_carrier and (all_number or 0) >= caps.per_number_per_day_all:
        return "daily-number-backstop"
    return None


def alert(session: Session, now: datetime, reason: str, *, site_id: int | None, carrier_id: int | None,
          courier_id: int | None) -> None:
    """An `sms.cap_reached` event for the admins, once an hour per cap and what it is about (the courier, the
    carrier, or for the backstop the site), not once per SMS."""
    if reason not in ALERTING_REASONS:
        return
    subject = {"courier-hour-cap": {"courier_id": courier_id},
               "carrier-hour-cap": {"carrier_id": carrier_id}}.get(reason, {})
    detail: dict[str, Any] = {"cap": reason, **subject}
    recent = session.execute(select(Event.site_id, Event.detail)
                             .where(Event.action == "sms.cap_reached", Event.at > now - HOUR)).all()
    if any(seen == detail and (reason != "daily-number-backstop" or seen_site == site_id)
           for seen_site, seen in recent):
        return
    events.record(session, now, "outbox", "sms.cap_reached", site_id=site_id, **detail)
