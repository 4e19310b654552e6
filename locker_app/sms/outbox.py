"""Writing messages to the outbox, in the transaction that caused them, within the cost caps (caps.py): the text
masked and its code sealed, never in clear (docs/adr/0005-sealed-codes.md)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Text, case, func, insert
from sqlalchemy.orm import Session

from ..models import Message, Parcel
from ..sealing.keys import SealKeys, current_seal_keys
from ..services import events
from .caps import CAP_WINDOW, HIDDEN_REASONS, SmsCaps, alert, carrier_of, current_caps, refusal

__all__ = ["CAP_WINDOW", "CODE_MASK", "SmsCaps", "current_caps", "queue_message", "refusal"]

CODE_MASK = "********"
_CODE_LIKE = re.compile(r"(?<!\d)\d{8}(?!\d)")  # what the log filter masks too (ops/logs.py)


_INSERT_MESSAGE = insert(Message).returning(Message.id)


def seal_context(to: str | None, parcel_id: str | None) -> str:
    """What a code's seal is bound to: a seal moved to another row, or a row sent to another number, does not open."""
    return f"sms-code\x00{to or ''}\x00{parcel_id or ''}"


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
    carrier_id: int | None = None,
    courier_id: int | None = None,
    seals: SealKeys | None = None,
) -> int | None:
    """The queued message's id, or None when a cap refuses it; the refusal is an event, not an error,
    so that the deposit or job that asked still goes through.

    `body` is the full text with the code at `code_offset`; only the masked text and the sealed code are
    written (docs/adr/0005-sealed-codes.md). `carrier_id` defaults to the parcel's; `courier_id` is the courier
    whose action sends it (none for jobs and admins)."""
    if session.new:
        session.flush()  # the message may name a parcel that is still only pending in the session
    if carrier_id is None and parcel_id is not None:
        carrier_id = carrier_of(session, parcel_id)
    reason = refusal(session, now, to, parcel_id, caps or current_caps(), carrier_id=carrier_id,
                     courier_id=courier_id)
    if reason is not None:
        events.record(session, now, "outbox", "sms.refused", site_id=site_id, parcel_id=parcel_id, kind=kind,
                      reason=reason)
        alert(session, now, reason, site_id=site_id, carrier_id=carrier_id, courier_id=courier_id)
        if code_offset is not None and parcel_id is not None and reason not in HIDDEN_REASONS:
            # The resident will not get this code: the courier and admins must see that.
            parcel = session.get(Parcel, parcel_id)
            if parcel is not None:
                parcel.notification_failed = True
        return None
    sealed = None
    if code_offset is not None:
        code = body[code_offset:code_offset + len(CODE_MASK)]
        body = body[:code_offset] + CODE_MASK + body[code_offset + len(CODE_MASK):]
        sealed = (seals or current_seal_keys()).seal(code, seal_context(to, parcel_id))
    if _CODE_LIKE.search(body):
        # A code given without its offset would be stored in clear: a caller's bug, caught before the write.
        raise ValueError("an SMS text holds a code-like number but no code_offset says where")
    # A Core insert: the outbox row is read back only by the relay, in its own transaction.
    message_id: int | None = session.connection().scalar(
        _INSERT_MESSAGE,
        {"parcel_id": parcel_id, "site_id": site_id, "kind": kind, "to_phone": to, "body": body,
         "code_offset": code_offset, "code_sealed": sealed, "carrier_id": carrier_id, "courier_id": courier_id,
         "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now, "updated_at": now},
    )
    return message_id


def text_to_send(message: Message, seals: SealKeys | None = None) -> str | None:
    """The body with its code opened from the seal, in memory only; raises SealError if no key opens it.
    A row written before sealing (or by an older worker during an upgrade) still holds its code in the body."""
    if message.body is None or message.code_sealed is None or message.code_offset is None:
        return message.body
    code = (seals or current_seal_keys()).open(message.code_sealed, seal_context(message.to_phone, message.parcel_id))
    start = message.code_offset
    return message.body[:start] + code + message.body[start + len(CODE_MASK):]


def mask_code(message: Message) -> None:
    """Once the provider holds the text, we keep it only without the code, not even sealed."""
    message.code_sealed = None
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
    return {"body": case((start.is_(None), Message.body), else_=masked), "code_offset": None, "code_sealed": None}
