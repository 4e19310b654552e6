"""Sending the pickup code again: a new code replaces the old one, and a new delivery SMS carries it.

Used by the courier API and the admin action. The old code stops working at once; the keypad's
failure count is left alone (a resend must not become a way to reset a guessing lockout).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Message, Parcel
from ..sms.outbox import SmsCaps, current_caps, queue_message, refusal
from . import events
from .codes import Peppers
from .errors import InvalidState, ServiceError
from .issue_codes import issue_code
from .parcels import delivery_text

MAX_RESENDS = 3
RESEND_KIND = "resend"


class ResendLimit(ServiceError):
    status = 429
    slug = "resend-limit"
    title = "The code has been sent again as often as allowed"


class SmsCapReached(ServiceError):
    """For callers to raise, after committing, when resend_code returned None (the refusal is an event)."""

    status = 429
    slug = "sms-cap-reached"
    title = "No more SMS may be sent for this parcel or to this number for now"


def resends_so_far(session: Session, parcel_id: str) -> int:
    return session.scalar(
        select(func.count()).select_from(Message).where(Message.parcel_id == parcel_id, Message.kind == RESEND_KIND)
    ) or 0


def resend_code(session: Session, now: datetime, parcel: Parcel, pepper: Peppers | str, actor: str,
                caps: SmsCaps | None = None, courier_id: int | None = None) -> int | None:
    """Void the parcel's pickup code, issue a new one and queue its SMS.

    `courier_id`: the courier asking, counted against the hourly courier cap (None for an admin).
    Raises InvalidState or ResendLimit. Returns None, with an `sms.refused` event and nothing else
    changed, when a cost cap refuses the SMS: the old code keeps working then. Commit either way.
    """
    # Lock the parcel so that two resends at once cannot both pass the limit.
    locked = session.get(Parcel, parcel.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    parcel = locked
    if parcel.state != "stored":
        raise InvalidState(f"only a stored parcel's code can be sent again; this one is {parcel.state}",
                           state=parcel.state)
    if parcel.recipient_phone is None:
        raise InvalidState("the recipient's phone number is no longer kept", state=parcel.state)
    if resends_so_far(session, parcel.id) >= MAX_RESENDS:
        raise ResendLimit(f"the code was sent again {MAX_RESENDS} times already")
    caps = caps or current_caps()
    # Checked before the code is replaced: a refused SMS must not leave the resident with a dead code.
    reason = refusal(session, now, parcel.recipient_phone, parcel.id, caps, carrier_id=parcel.carrier_id,
                     courier_id=courier_id)
    if reason is not None:
        events.record(session, now, actor, "sms.refused", site_id=parcel.site_id, parcel_id=parcel.id,
                      kind=RESEND_KIND, reason=reason)
        return None

    site = parcel.site
    code = issue_code(session, parcel, "pickup", pepper, now)
    body, offset = delivery_text(parcel, code)
    message = queue_message(session, now, kind=RESEND_KIND, to=parcel.recipient_phone, body=body,
                            code_offset=offset, parcel_id=parcel.id, site_id=site.id, caps=caps,
                            carrier_id=parcel.carrier_id, courier_id=courier_id)
    assert message is not None  # the caps were checked above, under the parcel's lock
    # The flag tells of the latest attempt to reach the resident; the relay raises it again if this one fails.
    parcel.notification_failed = False
    events.record(session, now, actor, "parcel.code_resent", site_id=site.id,
                  compartment_id=parcel.compartment_id, parcel_id=parcel.id)
    return message
