"""Applying the provider's delivery reports (Twilio status callbacks) to the outbox.

Callbacks come late, twice, or out of order, so a status only ever moves forward:
queued < sending < sent < delivered, and delivered, undelivered, failed and canceled are final.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Message, Parcel
from ..services import events

RANK = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
}
FINAL = frozenset(status for status, rank in RANK.items() if rank == 5)
NOT_DELIVERED = frozenset({"undelivered", "failed", "canceled"})


def apply_status(session: Session, now: datetime, sid: str, status: str, error_code: int | None,
                 source: str = "twilio") -> bool:
    """Record a delivery report (from `source`, the provider: the event's actor); returns whether the status moved."""
    if status not in RANK:
        return False
    message = session.scalar(select(Message).where(Message.provider_sid == sid).with_for_update())
    if message is None:
        return False
    current = RANK.get(message.status, 0)  # pending/claimed/failed of our own never get a SID
    if message.status in FINAL or RANK[status] <= current:
        if status == message.status and error_code is not None and message.error_code is None:
            message.error_code = error_code
        return False
    message.status = status
    message.error_code = error_code
    message.updated_at = now
    if status in NOT_DELIVERED:
        if message.parcel_id is not None:
            parcel = session.get(Parcel, message.parcel_id)
            if parcel is not None:
                parcel.notification_failed = True
        events.record(session, now, source, "sms.undelivered", site_id=message.site_id,
                      parcel_id=message.parcel_id, message_id=message.id, kind=message.kind, status=status,
                      error_code=error_code)
    return True
