"""The audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..models import Event

_INSERT_EVENT = insert(Event)  # built once: its compiled form is reused


def record(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    *,
    site_id: int | None = None,
    compartment_id: int | None = None,
    parcel_id: str | None = None,
    **detail: Any,
) -> None:
    if session.new:
        session.flush()  # the event may name a row that is still only pending in the session
    # A Core insert on the session's connection: an event is never read back as an object in the request
    # that writes it, so the ORM's unit of work would only add cost (it is on every courier request).
    session.connection().execute(
        _INSERT_EVENT,
        {"at": now, "actor": actor, "action": action, "site_id": site_id, "compartment_id": compartment_id,
         "parcel_id": parcel_id, "detail": detail or None},
    )
