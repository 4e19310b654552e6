"""Writing messages to the outbox, in the transaction that caused them, within the cost caps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, bindparam, case, func, insert, select
from sqlalchemy.orm import Session

from ..models import Message, Parcel
from ..services import events

CODE_MASK = "********"
CAP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class SmsCaps:
    """Limits against SMS pumping: someone making us text premium numbers over and over."""

    per_parcel: int = 5
    per_number_per_day: int = 10


def current_caps() -> SmsCaps:
    """The caps configured on the running app (LOCKER_SMS_*), or the defaults outside one."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return SmsCaps()
    config = current_app.config
    return SmsCaps(per_parcel=int(config.get("SMS_MAX_PER_PARCEL", SmsCaps.per_parcel)),
                   per_number_per_day=int(config.get("SMS_DAILY_CAP_PER_NUMBER", SmsCaps.per_number_per_day)))


# Both counts in one round trip, built once: this runs inside every deposit. (No parcel: `= NULL` counts none.)
_COUNTS = select(
    select(func.count()).select_from(Message).where(Message.parcel_id == bindparam("parcel_id")).scalar_subquery(),
    select(func.count()).select_from(Message)
    .where(Message.to_phone == bindparam("to"), Message.created_at > bindparam("since")).scalar_subquery(),
)
_INSERT_MESSAGE = insert(Message).returning(Message.id)


def refusal(session: Session, now: datetime, to: str, parcel_id: str | None, caps: SmsCaps) -> str | None:
    """Why one more message may not be queued, or None if it may. Every outbox row counts, sent or not."""
    for_parcel, to_number = session.connection().execute(
        _COUNTS, {"parcel_id": parcel_id, "to": to, "since": now - CAP_WINDOW}).one()
    if (for_parcel or 0) >= caps.per_parcel:
        return "parcel-cap"
    if (to_number or 0) >= caps.per_number_per_day:
        return "daily-number-cap"
    return None


def queue_message(
    session: Session,
    now: datetime,
    *,
    kind: str,
    to: str,
    body: str,
    code_offset: int | None = None,
    parcel_id: str | None = None,
    site_id: int | None = None,
    caps: SmsCaps | None = None,
) -> int | None:
    """The queued message's id, or None when a cap refuses it; the refusal is an event, not an error,
    so that the deposit or job that asked still goes through."""
    reason = refusal(session, now, to, parcel_id, caps or current_caps())
    if reason is not None:
        events.record(session, now, "outbox", "sms.refused", site_id=site_id, parcel_id=parcel_id, kind=kind,
                      reason=reason)
        if code_offset is not None and parcel_id is not None:
            # The resident will not get this code: the courier and admins must see that.
            parcel = session.get(Parcel, parcel_id)
            if parcel is not None:
                parcel.notification_failed = True
        return None
    if session.new:
        session.flush()  # the message may name a parcel that is still only pending in the session
    # A Core insert: the outbox row is read back only by the relay, in its own transaction.
    message_id: int | None = session.connection().scalar(
        _INSERT_MESSAGE,
        {"parcel_id": parcel_id, "site_id": site_id, "kind": kind, "to_phone": to, "body": body,
         "code_offset": code_offset, "status": "pending", "attempts": 0, "next_attempt_at": now,
         "created_at": now, "updated_at": now},
    )
    return message_id


def mask_code(message: Message) -> None:
    """Once the provider holds the text, we keep it only without the code."""
    if message.body is None or message.code_offset is None:
        return
    start = message.code_offset
    message.body = message.body[:start] + CODE_MASK + message.body[start + len(CODE_MASK):]
    message.code_offset = None


def masked_code_values() -> dict[str, Any]:
    """mask_code as SQL, for an UPDATE that does not load the row (the relay's). It masks the body as it is in
    the database at that moment, so a body purged meanwhile stays purged. substr counts characters on SQLite and
    PostgreSQL alike, as Python's slices do."""
    start = Message.code_offset
    masked = (func.substr(Message.body, 1, start, type_=Text).concat(CODE_MASK)
              .concat(func.substr(Message.body, start + 1 + len(CODE_MASK), type_=Text)))
    return {"body": case((start.is_(None), Message.body), else_=masked), "code_offset": None}
