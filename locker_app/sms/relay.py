"""Moves messages from the outbox to the provider.

Sending happens outside any transaction (a slow provider must not hold locks), so one run is a
claim transaction, then one small transaction per message to record what the provider said. A
claim is a lease: if the process dies between claim and send, the message is claimed again once
the lease runs out. A claimed message has the status "claimed" (not Twilio's "sending", which a
status callback may set later).

Temporary failures (5xx, timeouts, refused connections, 20429, codes we do not know) go back to
"pending" with a jittered exponential back-off until MAX_ATTEMPTS; permanent ones (senders.PERMANENT_ERRORS)
fail at once. A failed message flags its parcel `notification_failed` and writes an `sms.failed` event.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..models import Message, Parcel
from ..services import events
from .outbox import mask_code
from .senders import SendResult, SmsError, SmsSender

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
CLAIMED = "claimed"


@dataclass(frozen=True)
class Claimed:
    id: int
    to: str
    body: str


def backoff(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Exponential back-off with jitter, so that many failed messages do not retry in step."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))
    return ceiling * (0.5 + rng() / 2)


def claim_due(session: Session, now: datetime, limit: int = 50) -> list[Claimed]:
    due = or_(
        and_(Message.status == "pending", Message.next_attempt_at <= now),
        and_(Message.status == CLAIMED, Message.claimed_until < now),
    )
    rows = session.scalars(
        select(Message).where(due).order_by(Message.next_attempt_at, Message.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for message in rows:
        message.status = CLAIMED
        message.claimed_until = now + LEASE
        message.attempts += 1
        message.updated_at = now
        if message.to_phone and message.body:
            claimed.append(Claimed(message.id, message.to_phone, message.body))
        else:  # purged while waiting: nothing left to send
            message.status = "failed"
    return claimed


def _fail(session: Session, now: datetime, message: Message, code: int | None) -> None:
    message.status = "failed"
    message.error_code = code
    mask_code(message)
    if message.parcel_id:
        parcel = session.get(Parcel, message.parcel_id)
        if parcel is not None:
            parcel.notification_failed = True
    events.record(session, now, "relay", "sms.failed", site_id=message.site_id, parcel_id=message.parcel_id,
                  message_id=message.id, error_code=code, kind=message.kind, attempts=message.attempts)


def record_outcome(session: Session, now: datetime, message_id: int,
                   outcome: SendResult | SmsError, rng: Callable[[], float] = random.random) -> None:
    message = session.get(Message, message_id, with_for_update=True)
    if message is None or message.status != CLAIMED:
        return
    message.claimed_until = None
    message.updated_at = now
    if isinstance(outcome, SendResult):
        message.status = outcome.status
        message.provider_sid = outcome.sid
        message.segments = outcome.segments
        message.sent_at = now
        message.error_code = None
        mask_code(message)
    elif outcome.temporary and message.attempts < MAX_ATTEMPTS:
        message.status = "pending"
        message.error_code = outcome.code
        message.next_attempt_at = now + backoff(message.attempts, rng)
    else:
        _fail(session, now, message, outcome.code)


def relay_once(session: Session, sender: SmsSender, clock: Callable[[], datetime],
               status_callback: str | None = None, limit: int = 50,
               rng: Callable[[], float] = random.random) -> int:
    """Send what is due; returns how many messages the provider accepted."""
    claimed = claim_due(session, clock(), limit)
    session.commit()
    accepted = 0
    for item in claimed:
        try:
            outcome: SendResult | SmsError = sender.send(item.to, item.body, status_callback)
        except SmsError as exc:
            outcome = exc
            log.warning("SMS %s not sent: %s", item.id, exc)
        except Exception:  # a bug in a sender must not leave the message claimed forever
            log.exception("SMS %s: the sender failed unexpectedly", item.id)
            outcome = SmsError("sender error", temporary=True)
        record_outcome(session, clock(), item.id, outcome, rng)
        session.commit()
        accepted += isinstance(outcome, SendResult)
    return accepted
