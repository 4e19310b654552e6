"""Asking the provider to forget a message's text once the parcel has been picked up (LOCKER_TWILIO_REDACT=1).

Our own copy lost the code when it was sent (outbox.mask_code); this empties Twilio's copy of the body.
Twilio redacts only messages in a final state, so a message still reported in flight waits until a
callback says it is done, or until an hour after pickup when no callback is coming (no public URL).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import Message, Parcel
from ..services import events
from .senders import SmsError, SmsSender
from .status import FINAL

log = logging.getLogger(__name__)

NO_CALLBACK_WAIT = timedelta(hours=1)


def due_for_redaction(session: Session, now: datetime, limit: int = 50) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Message.id, Message.provider_sid)
        .join(Parcel, Parcel.id == Message.parcel_id)
        .where(
            Parcel.state == "picked_up",
            Message.provider_sid.is_not(None),
            Message.redaction.is_(None),
            or_(Message.status.in_(FINAL), Parcel.picked_up_at < now - NO_CALLBACK_WAIT),
        )
        .order_by(Message.id)
        .limit(limit)
    ).all()
    return [(row.id, row.provider_sid) for row in rows]


def redact_once(session: Session, sender: SmsSender, now: datetime, limit: int = 50) -> int:
    """Redact what is due, outside any transaction while talking to the provider; returns how many."""
    due = due_for_redaction(session, now, limit)
    session.commit()
    done = 0
    for message_id, sid in due:
        try:
            sender.redact(sid)
            outcome = "done"
        except SmsError as exc:
            if exc.temporary:
                log.warning("redacting SMS %s failed for now: %s", message_id, exc)
                continue
            outcome = "failed"
        message = session.get(Message, message_id, with_for_update=True)
        if message is not None and message.redaction is None:
            message.redaction = outcome
            if outcome == "failed":
                events.record(session, now, "relay", "sms.redaction_failed", site_id=message.site_id,
                              parcel_id=message.parcel_id, message_id=message.id)
        session.commit()
        done += outcome == "done"
    return done
