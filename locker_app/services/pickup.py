"""Opening a door with a one-time code at the kiosk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import AccessCode, Site
from . import events
from .codes import CODE_DIGITS, Peppers, as_peppers, digests_match, looks_like_code
from .errors import CodeRejected
from .fees import settle_fee
from .issue_codes import digests_under, matching, void_codes
from .phones import last_four

# What a code must find its parcel in, by the code's kind.
_OPENS = {"pickup": ("stored", "picked_up"), "return": ("expired", "returned")}


def open_with_code(
    session: Session,
    now: datetime,
    site: Site,
    code: object,
    pepper: Peppers | str,
    *,
    phone_suffix: object = None,
    payment_reference: object = None,
    actor: str,
) -> dict[str, Any]:
    """Mark the parcel taken and say which door to open; every failure looks the same to the caller."""
    well_formed = looks_like_code(code)
    peppers = as_peppers(pepper)
    # Hash even a malformed code, under every known pepper, so that a rejection costs the same whatever
    # its cause and whichever pepper the code was issued under.
    digests = digests_under(peppers, site.id, code if well_formed else "?" * CODE_DIGITS)  # type: ignore[arg-type]
    row = session.scalar(
        select(AccessCode)
        # `active` exactly as the partial unique index says it: PostgreSQL cannot prove `active IS true` implies
        # the index's `WHERE active`, and would scan every code of every site instead.
        .where(AccessCode.site_id == site.id, AccessCode.active, matching(digests))
        # The parcel comes in the same query, so an expired parcel's code costs no extra round trip.
        .options(joinedload(AccessCode.parcel))
        .with_for_update(of=AccessCode)
    )
    accepted = well_formed and row is not None and digests_match(row.digest, digests.get(row.pepper_id, ""))
    if accepted and row is not None:
        parcel = row.parcel
        required_state, _ = _OPENS[row.kind]
        accepted = parcel.state == required_state
        # The resident's code stops at the deadline even if the expiry job has not run yet.
        if accepted and row.kind == "pickup" and parcel.pickup_deadline is not None:
            accepted = now < parcel.pickup_deadline
        if accepted and row.kind == "pickup" and site.require_phone_suffix:
            expected = last_four(parcel.recipient_phone) or ""
            given = phone_suffix if isinstance(phone_suffix, str) else ""
            accepted = digests_match(given, expected)
    if not accepted or row is None:
        raise CodeRejected("the code was not accepted; check the SMS and try again")

    parcel = row.parcel
    fee_paid = settle_fee(session, now, site, parcel, payment_reference, actor=actor) if row.kind == "pickup" else 0
    _, new_state = _OPENS[row.kind]
    row.used_at = now
    void_codes(session, parcel.id)
    parcel.state = new_state
    if new_state == "picked_up":
        parcel.picked_up_at = now
    else:
        parcel.returned_at = now
    parcel.compartment.last_used_at = now
    events.record(session, now, actor, f"parcel.{new_state}", site_id=site.id,
                  compartment_id=parcel.compartment_id, parcel_id=parcel.id)
    label = parcel.compartment.label
    return {
        "compartments": [label],
        "parcels": [{"compartment": label, "size": parcel.compartment.size, "action": row.kind}],
        "fee_due": 0,
        "fee_paid": fee_paid,
    }
