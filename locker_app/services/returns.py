"""Expired parcels going back to their carrier: the list to collect, and the courier's one-time return code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Courier, Parcel
from . import events
from .codes import Peppers
from .errors import InvalidState
from .issue_codes import issue_code
from .parcels import find_site, get_for_carrier


def list_returns(session: Session, courier: Courier, *, site_code: str | None = None, limit: int = 50,
                 offset: int = 0) -> list[Parcel]:
    """The carrier's expired parcels, longest waiting first."""
    query = select(Parcel).where(Parcel.carrier_id == courier.carrier_id, Parcel.state == "expired")
    if site_code is not None:
        query = query.where(Parcel.site_id == find_site(session, site_code).id)
    query = query.order_by(Parcel.expired_at, Parcel.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def issue_return_code(session: Session, now: datetime, courier: Courier, parcel_id: str,
                      pepper: Peppers | str) -> tuple[Parcel, str]:
    """A new return code for an expired parcel of the courier's carrier; any earlier one stops working.

    The code is returned in clear only here and kept only as its digest, like a pickup code.
    """
    parcel = get_for_carrier(session, courier, parcel_id, lock=True)
    if parcel.state != "expired":
        raise InvalidState(f"only an expired parcel can be taken back; this one is {parcel.state}",
                           state=parcel.state)
    code = issue_code(session, parcel, "return", pepper, now)
    events.record(session, now, f"courier:{courier.id}", "parcel.return_code_issued", site_id=parcel.site_id,
                  compartment_id=parcel.compartment_id, parcel_id=parcel.id)
    return parcel, code
