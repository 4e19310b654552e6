"""Walk-up deposits: the courier API's reservation, deposit and cancel, for a courier signed in at a kiosk.

A session only ever reserves an empty compartment (the assignment's rule) and can store or cancel only
the parcels its courier reserved at this kiosk's site, while they are reserved: it never opens a
compartment that holds a stored parcel."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Courier, Kiosk, Parcel
from ..services import parcels
from ..services.codes import Peppers
from ..services.errors import NotFound
from .errors import AlreadyStored


def reserve(session: Session, now: datetime, kiosk: Kiosk, courier: Courier, body: dict[str, Any]) -> dict[str, Any]:
    tracking = body.get("tracking_number")
    if tracking is None or (isinstance(tracking, str) and not tracking.strip()):
        # No barcode scanned: the parcel still needs a reference the carrier can look it up by.
        tracking = f"WALKUP-{uuid.uuid4().hex[:12].upper()}"
    return parcels.reserve(session, now, courier, kiosk.site.code, tracking_number=tracking,
                           recipient_phone=body.get("recipient_phone"), size=body.get("size"),
                           accessible=body.get("accessible", False))


def _own(session: Session, kiosk: Kiosk, courier: Courier, parcel_id: str) -> Parcel:
    parcel = session.scalar(select(Parcel).where(Parcel.id == parcel_id, Parcel.courier_id == courier.id,
                                                 Parcel.site_id == kiosk.site_id).with_for_update())
    if parcel is None:
        raise NotFound("there is no such parcel of this courier at this site")
    return parcel


def store(session: Session, now: datetime, kiosk: Kiosk, courier: Courier, parcel_id: str,
          peppers: Peppers) -> dict[str, Any]:
    """The door closed with the parcel inside: stored, code made and SMS queued in this transaction."""
    parcel = _own(session, kiosk, courier, parcel_id)
    if parcel.state == "stored":
        raise AlreadyStored("the parcel was stored already; its SMS went out once and is not sent again",
                            state=parcel.state)
    return parcels.deposit(session, now, courier, parcel_id, peppers)


def cancel(session: Session, now: datetime, kiosk: Kiosk, courier: Courier, parcel_id: str) -> dict[str, Any]:
    parcel = _own(session, kiosk, courier, parcel_id)
    if parcel.state == "stored":
        raise AlreadyStored("the door was closed with the parcel inside: it is stored and its recipient told; "
                            "it cannot be cancelled from the kiosk", state=parcel.state)
    return parcels.parcel_view(parcels.cancel(session, now, courier, parcel_id))
