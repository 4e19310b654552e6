"""Moves messages from the outbox to the provider.

Sending happens outside any transaction (a slow provider must not hold locks), so one run is a
claim transaction, then small transactions recording what the provider said. A claim is a lease:
if the process dies between claim and send, the message is claimed again once the lease runs out.
A claimed message has the status "claimed" (not Twilio's "sending", which a status callback may set later).

A run sends its batch from `concurrency` threads (Twilio takes 150-300 ms to answer, so one at a time
is 3-6 SMS/s), each thread with its own HTTP client (TwilioSender keeps one per thread). Only the
calling thread touches the database. It records outcomes as they complete, several to a commit, and
starts no new send while `concurrency` outcomes are unrecorded: so a crash leaves at most
`concurrency` messages that reached the provider without their outcome committed, which are sent a
second time after the lease. That is the same bound that sending `concurrency` at once already has,
and with concurrency 1 it is the old one-message-per-commit relay.

An accepted outcome is one conditional UPDATE (`WHERE id = ... AND status = 'claimed'`, so an
outcome that arrives after a status callback or a purge does not overwrite it) that also masks the
code in the stored body. Temporary failures (5xx, timeouts, refused connections, 20429, codes we do
not know) go back to "pending" the same way, with a jittered exponential back-off until
MAX_ATTEMPTS; permanent ones (senders.PERMANENT_ERRORS) fail at once. A failed message flags its
parcel `notification_failed` and writes an `sms.failed` event (rare, so it takes the row lock and the ORM).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ..models import Message, Parcel
from ..services import events
from .outbox import mask_code, masked_code_values
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
    attempts: int  # counting this one


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
            claimed.append(Claimed(message.id, message.to_phone, message.body, message.attempts))
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


Outcome = SendResult | SmsError


def record_outcome(session: Session, now: datetime, item: Claimed, outcome: Outcome,
                   rng: Callable[[], float] = random.random) -> None:
    """Write what the provider said, unless the message has left "claimed" meanwhile. No commit."""
    still_claimed = and_(Message.id == item.id, Message.status == CLAIMED)
    values: dict[str, Any]
    if isinstance(outcome, SendResult):
        values = {"status": outcome.status, "provider_sid": outcome.sid, "segments": outcome.segments,
                  "sent_at": now, "error_code": None, **masked_code_values()}
    elif outcome.temporary and item.attempts < MAX_ATTEMPTS:
        values = {"status": "pending", "error_code": outcome.code,
                  "next_attempt_at": now + backoff(item.attempts, rng)}
    else:
        message = session.get(Message, item.id, with_for_update=True)
        if message is not None and message.status == CLAIMED:
            message.claimed_until = None
            message.updated_at = now
            _fail(session, now, message, outcome.code)
        return
    session.execute(update(Message).where(still_claimed)
                    .values(claimed_until=None, updated_at=now, **values)
                    .execution_options(synchronize_session=False))


def _send(sender: SmsSender, item: Claimed, status_callback: str | None) -> Outcome:
    try:
        return sender.send(item.to, item.body, status_callback)
    except SmsError as exc:
        log.warning("SMS %s not sent: %s", item.id, exc)
        return exc
    except Exception:  # a bug in a sender must not leave the message claimed forever
        log.exception("SMS %s: the sender failed unexpectedly", item.id)
        return SmsError("sender error", temporary=True)


def _outcomes(sender: SmsSender, claimed: list[Claimed], status_callback: str | None,
              concurrency: int) -> Iterator[list[tuple[Claimed, Outcome]]]:
    """Groups of (message, outcome) as they complete. The next send starts only after the caller has
    taken the group (and committed it): that keeps at most `concurrency` outcomes unrecorded."""
    if concurrency <= 1 or len(claimed) <= 1:
        for item in claimed:
            yield [(item, _send(sender, item, status_callback))]
        return
    todo = iter(claimed)
    with ThreadPoolExecutor(min(concurrency, len(claimed)), thread_name_prefix="sms-relay") as pool:
        running: dict[Future[Outcome], Claimed] = {}
        while True:
            for item in todo:
                running[pool.submit(_send, sender, item, status_callback)] = item
                if len(running) >= concurrency:
                    break
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            yield [(running.pop(future), future.result()) for future in done]


def relay_once(session: Session, sender: SmsSender, clock: Callable[[], datetime],
               status_callback: str | None = None, limit: int = 50,
               rng: Callable[[], float] = random.random, concurrency: int = 1) -> int:
    """Send what is due, from `concurrency` threads; returns how many messages the provider accepted."""
    claimed = claim_due(session, clock(), limit)
    session.commit()
    accepted = 0
    for group in _outcomes(sender, claimed, status_callback, concurrency):
        now = clock()
        for item, outcome in group:
            record_outcome(session, now, item, outcome, rng)
            accepted += isinstance(outcome, SendResult)
        session.commit()
    return accepted
