"""Moves messages from the outbox to the provider.

Sending happens outside any transaction (a slow provider must not hold locks), so one run is a
claim transaction, then small transactions recording what the provider said. A claim is a lease:
if the process dies between claim and send, the message is claimed again once the lease runs out.
A claimed message has the status "claimed" (not Twilio's "sending", which a status callback may set later).

A run sends its batch from `concurrency` threads (Twilio takes 150-300 ms to answer, so one at a time
is 3-6 SMS/s), each thread with its own HTTP client (TwilioSender keeps one per thread). Only the
calling thread touches the database. It records the outcomes that have come back, all in one commit,
before it starts another send (sending.outcomes), so sends in flight plus outcomes not yet committed
never exceed `concurrency`. A crash therefore sends at most `concurrency` messages a second time after
the lease: the same bound that having `concurrency` sends in flight already sets, and with concurrency 1
the old one commit per message.

An accepted outcome is one conditional UPDATE (`WHERE id = ... AND status = 'claimed'`: no row lock
first, and an outcome that arrives after a status callback changes nothing) that also masks the code
in the body as stored (a purge meanwhile stays purged). Temporary failures (5xx, timeouts, refused
connections, 20429, codes we do not know) go back to "pending" the same way, with a jittered
exponential back-off until MAX_ATTEMPTS; permanent ones (senders.PERMANENT_ERRORS) fail at once.
A failed message flags its parcel `notification_failed` and writes an `sms.failed` event (rare, so
that path still locks the row and uses the ORM).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from ..korea_sms.route import route_of, site_routes
from ..models import Message, Parcel
from ..sealing.keys import SealError, SealKeys
from ..services import events
from .claimed import Claimed
from .outbox import mask_code, masked_code_values, text_to_send
from .senders import SendResult, SmsSender
from .sending import Outcome, outcomes

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
CLAIMED = "claimed"


def backoff(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Exponential back-off with jitter, so that many failed messages do not retry in step."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))
    return ceiling * (0.5 + rng() / 2)


def claim_due(session: Session, now: datetime, limit: int = 50, seals: SealKeys | None = None) -> list[Claimed]:
    due = or_(
        and_(Message.status == "pending", Message.next_attempt_at <= now),
        and_(Message.status == CLAIMED, Message.claimed_until < now),
    )
    rows = session.scalars(
        select(Message).where(due).order_by(Message.next_attempt_at, Message.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    routes = site_routes(session, (message.site_id for message in rows))
    for message in rows:
        message.status = CLAIMED
        message.claimed_until = now + LEASE
        message.attempts += 1
        message.updated_at = now
        if not (message.to_phone and message.body):  # purged while waiting: nothing left to send
            message.status = "failed"
            continue
        try:
            text = text_to_send(message, seals)
        except SealError as exc:  # its key was dropped too early (`seal-keys` says so), or the row was altered
            log.error("SMS %s: its code cannot be opened (%s); the parcel is flagged", message.id, exc)
            message.claimed_until = None
            _fail(session, now, message, None)
            continue
        claimed.append(Claimed(message.id, message.to_phone, text or "", message.attempts,
                               route_of(routes, message.site_id, message.kind)))
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


# Built once: a statement made per message costs more CPU (0.5 ms, building the masking expression and its
# cache key) than the UPDATE's round trip. Run with a list of parameters, one executemany per group.
_messages = Message.__table__
_still_claimed = and_(_messages.c.id == bindparam("m_id"), _messages.c.status == CLAIMED)
_ACCEPTED = _messages.update().where(_still_claimed).values(
    status=bindparam("m_status"), provider_sid=bindparam("m_sid"), segments=bindparam("m_segments"),
    sent_at=bindparam("m_now"), error_code=None, claimed_until=None, updated_at=bindparam("m_now"),
    **masked_code_values())
_RETRY = _messages.update().where(_still_claimed).values(
    status="pending", error_code=bindparam("m_code"), next_attempt_at=bindparam("m_next"), claimed_until=None,
    updated_at=bindparam("m_now"))


def record_outcomes(session: Session, now: datetime, group: list[tuple[Claimed, Outcome]],
                    rng: Callable[[], float] = random.random) -> None:
    """Write what the provider said, for each message still "claimed". No commit."""
    accepted: list[dict[str, Any]] = []
    retry: list[dict[str, Any]] = []
    for item, outcome in group:
        if isinstance(outcome, SendResult):
            accepted.append({"m_id": item.id, "m_status": outcome.status, "m_sid": outcome.sid,
                             "m_segments": outcome.segments, "m_now": now})
        elif outcome.temporary and item.attempts < MAX_ATTEMPTS:
            retry.append({"m_id": item.id, "m_code": outcome.code, "m_now": now,
                          "m_next": now + backoff(item.attempts, rng)})
        else:
            message = session.get(Message, item.id, with_for_update=True)
            if message is not None and message.status == CLAIMED:
                message.claimed_until = None
                message.updated_at = now
                _fail(session, now, message, outcome.code)
    for statement, rows in ((_ACCEPTED, accepted), (_RETRY, retry)):
        if rows:  # Core on the session's connection: the ORM's execute adds nothing for a table statement
            session.connection().execute(statement, rows if len(rows) > 1 else rows[0])


def _own_connection(session: Session) -> AbstractContextManager[Connection]:
    bind = session.get_bind()
    return bind.connect() if isinstance(bind, Engine) else nullcontext(bind)


def relay_once(session: Session, sender: SmsSender, clock: Callable[[], datetime],
               status_callback: str | None = None, limit: int = 50,
               rng: Callable[[], float] = random.random, concurrency: int = 1) -> int:
    """Send what is due, from `concurrency` threads; returns how many messages the provider accepted."""
    claimed = claim_due(session, clock(), limit)
    session.commit()
    if not claimed:
        return 0
    accepted = 0
    # One connection for all the run's commits: the session would give it back to the pool at each commit and
    # check it out again (and ping it, when a slow provider kept it idle). Between commits it holds no transaction.
    with _own_connection(session) as connection, Session(bind=connection) as recording:
        for group in outcomes(sender, claimed, status_callback, concurrency):
            record_outcomes(recording, clock(), group, rng)
            recording.commit()
            accepted += sum(isinstance(outcome, SendResult) for _, outcome in group)
    return accepted
