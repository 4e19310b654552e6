"""SOLAPI's delivery reports as the outbox's statuses, which only move forward (sms/status.apply_status).

SOLAPI reports a message's statusCode: 2000 taken by SOLAPI, 3000 handed to the carrier (or Kakao), 4000
received by the phone; any other code is a failure. A 알림톡 that could not be delivered and went out as
SMS/LMS instead is reported once the replacement has ended, so its 4000 means the resident has the text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..sms.status import apply_status
from .solapi_sender import SID_PREFIX

_STATUSES = {"2000": "queued", "3000": "sent", "4000": "delivered"}


def status_of(code: str) -> tuple[str, int | None]:
    """Our status and error code for a SOLAPI statusCode."""
    if code in _STATUSES:
        return _STATUSES[code], None
    return "failed", int(code) if code.isascii() and code.isdigit() else None


def apply_report(session: Session, now: datetime, message_id: str, code: str) -> bool:
    status, error_code = status_of(code)
    return apply_status(session, now, SID_PREFIX + message_id, status, error_code, source="solapi")
