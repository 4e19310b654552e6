"""Writing messages to the outbox, in the transaction that caused them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..models import Message

CODE_MASK = "********"


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
) -> Message:
    message = Message(
        parcel_id=parcel_id,
        site_id=site_id,
        kind=kind,
        to_phone=to,
        body=body,
        code_offset=code_offset,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    return message


def mask_code(message: Message) -> None:
    """Once the provider holds the text, we keep it only without the code."""
    if message.body is None or message.code_offset is None:
        return
    start = message.code_offset
    message.body = message.body[:start] + CODE_MASK + message.body[start + len(CODE_MASK):]
    message.code_offset = None
