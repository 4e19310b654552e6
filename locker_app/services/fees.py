"""Storage fees at the kiosk: ask for payment, then record it when the pickup is repeated with a reference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Parcel, Payment, Site
from . import events
from .errors import InvalidInput, PaymentReferenceUsed, PaymentRequired
from .policy import fee_due

REFERENCE_MAX = 64


def amount_owed(site: Site, parcel: Parcel, now: datetime) -> int:
    if parcel.free_until is None:
        return 0
    return fee_due(parcel.free_until, now, site.fee_per_day, site.timezone)


def _reference(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > REFERENCE_MAX or not value.isprintable():
        raise InvalidInput(f"payment_reference must be the card terminal's reference (at most {REFERENCE_MAX} "
                           "characters)", field="payment_reference")
    return value.strip()


def settle_fee(session: Session, now: datetime, site: Site, parcel: Parcel, payment_reference: object,
               *, actor: str) -> int:
    """The amount paid for this pickup (0 when nothing is owed); raises PaymentRequired until it is paid.

    The kiosk charges the amount of the 402 on its own card terminal and repeats the pickup with the
    terminal's reference; we record that reference once per site, so one charge cannot open two doors.
    """
    amount = amount_owed(site, parcel, now)
    if amount == 0:
        return 0
    if payment_reference is None:
        raise PaymentRequired(f"pay {amount} {site.currency} at the terminal, then enter the code again",
                              amount=amount, currency=site.currency)
    reference = _reference(payment_reference)
    used = select(Payment.id).where(Payment.site_id == site.id, Payment.reference == reference)
    if session.scalar(used) is not None:
        raise PaymentReferenceUsed("take a new payment for this parcel", amount=amount, currency=site.currency)
    try:
        with session.begin_nested():
            session.add(Payment(parcel_id=parcel.id, site_id=site.id, amount=amount, currency=site.currency,
                                reference=reference, actor=actor, paid_at=now))
    except IntegrityError:  # another kiosk recorded the same reference at the same moment
        raise PaymentReferenceUsed("take a new payment for this parcel", amount=amount,
                                   currency=site.currency) from None
    events.record(session, now, actor, "parcel.fee_paid", site_id=site.id, compartment_id=parcel.compartment_id,
                  parcel_id=parcel.id, amount=amount, currency=site.currency)
    return amount
