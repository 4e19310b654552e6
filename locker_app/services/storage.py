"""The storage policy on a clock: reminders, expiry, and forgetting personal data.

Each job is a function of (session, now) that claims its rows with SKIP LOCKED on PostgreSQL and
marks them in the same transaction that queues the SMS, so two schedulers never send one twice
(SQLite serialises writers with BEGIN IMMEDIATE instead). Each returns how many parcels it handled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import Session

from ..models import Message, Parcel, Site
from ..sms.outbox import queue_message
from ..sms.templates import local_time, render
from . import events
from .fees import amount_owed
from .issue_codes import void_codes
from .policy import format_amount, free_end_reminder_due, reminder_due

ACTOR = "scheduler"
BATCH = 500
DEFAULT_RETENTION = timedelta(days=30)


def _claim(session: Session, query: Select[tuple[Parcel]], limit: int) -> list[Parcel]:
    return list(session.scalars(query.limit(limit).with_for_update(skip_locked=True, of=Parcel)))


def send_reminders(session: Session, now: datetime, limit: int = BATCH) -> int:
    """Remind residents of stored parcels: after `reminder_after_hours`, and before the free period ends."""
    reminded = 0
    for site in session.scalars(select(Site).order_by(Site.id)).all():
        due = []
        if site.reminder_after_hours > 0:
            due.append(and_(Parcel.reminder_sent_at.is_(None),
                            Parcel.deposited_at <= now - timedelta(hours=site.reminder_after_hours)))
        if site.reminder_before_free_end_hours > 0:
            due.append(and_(Parcel.free_end_reminder_sent_at.is_(None), Parcel.free_until > now,
                            Parcel.free_until <= now + timedelta(hours=site.reminder_before_free_end_hours)))
        if not due:
            continue
        query = (select(Parcel)
                 .where(Parcel.site_id == site.id, Parcel.state == "stored", Parcel.pickup_deadline > now, or_(*due))
                 .order_by(Parcel.deposited_at, Parcel.id))
        for parcel in _claim(session, query, limit - reminded):
            reminded += _remind(session, now, site, parcel)
        if reminded >= limit:
            break
    return reminded


def _remind(session: Session, now: datetime, site: Site, parcel: Parcel) -> int:
    assert parcel.deposited_at and parcel.free_until and parcel.pickup_deadline
    first = parcel.reminder_sent_at is None and reminder_due(parcel.deposited_at, now, site.reminder_after_hours)
    second = parcel.free_end_reminder_sent_at is None and free_end_reminder_due(
        parcel.free_until, now, site.reminder_before_free_end_hours)
    if not (first or second) or parcel.recipient_phone is None:
        return 0
    # Both due at once (the scheduler was down): one SMS says everything both would have.
    if first:
        parcel.reminder_sent_at = now
    if second:
        parcel.free_end_reminder_sent_at = now
    owed = amount_owed(site, parcel, now)
    body, _ = render(
        "reminder",
        site.language,
        site=site.sms_name,
        at=local_time(parcel.deposited_at, site.timezone),
        free_until=local_time(parcel.free_until, site.timezone),
        fee=format_amount(owed, site.currency, site.language),
        deadline=local_time(parcel.pickup_deadline, site.timezone),
    )
    queue_message(session, now, kind="reminder", to=parcel.recipient_phone, body=body, parcel_id=parcel.id,
                  site_id=site.id)
    reasons = [name for name, on in (("after_deposit", first), ("before_free_end", second)) if on]
    events.record(session, now, ACTOR, "parcel.reminded", site_id=site.id, compartment_id=parcel.compartment_id,
                  parcel_id=parcel.id, reasons=reasons, fee=owed, currency=site.currency)
    return 1


def expire_parcels(session: Session, now: datetime, limit: int = BATCH) -> int:
    """Stored parcels past their deadline: the resident's code stops, an SMS says so, the carrier is to collect."""
    query = (select(Parcel).where(Parcel.state == "stored", Parcel.pickup_deadline <= now)
             .order_by(Parcel.pickup_deadline, Parcel.id))
    parcels = _claim(session, query, limit)
    for parcel in parcels:
        site = parcel.site
        parcel.state = "expired"
        parcel.expired_at = now
        void_codes(session, parcel.id, "pickup")
        if parcel.recipient_phone is not None and parcel.deposited_at is not None:
            body, _ = render("expiry", site.language, site=site.sms_name,
                             at=local_time(parcel.deposited_at, site.timezone))
            queue_message(session, now, kind="expiry", to=parcel.recipient_phone, body=body, parcel_id=parcel.id,
                          site_id=site.id)
        events.record(session, now, ACTOR, "parcel.expired", site_id=site.id, compartment_id=parcel.compartment_id,
                      parcel_id=parcel.id)
    return len(parcels)


def purge_personal_data(session: Session, now: datetime, retention: timedelta = DEFAULT_RETENTION,
                        limit: int = BATCH) -> int:
    """Forget phone numbers and SMS texts of parcels finished more than `retention` ago.

    The parcel and message rows stay (states, times, sizes, delivery status, segments), so occupancy
    and SMS statistics still add up; only what could identify or reach the resident goes.
    """
    cutoff = now - retention
    finished = or_(
        and_(Parcel.state == "picked_up", Parcel.picked_up_at <= cutoff),
        and_(Parcel.state == "returned", Parcel.returned_at <= cutoff),
        and_(Parcel.state == "cancelled", Parcel.cancelled_at <= cutoff),
    )
    query = select(Parcel).where(Parcel.personal_data_purged_at.is_(None), finished).order_by(Parcel.created_at)
    parcels = _claim(session, query, limit)
    for parcel in parcels:
        parcel.recipient_phone = None
        parcel.personal_data_purged_at = now
        session.execute(
            update(Message).where(Message.parcel_id == parcel.id)
            .values(to_phone=None, body=None, code_offset=None, code_sealed=None)
            .execution_options(synchronize_session=False)
        )
        events.record(session, now, ACTOR, "parcel.personal_data_purged", site_id=parcel.site_id,
                      parcel_id=parcel.id, retention_days=retention.days)
    return len(parcels)
