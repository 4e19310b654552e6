"""The audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..models import Event


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
    session.add(
        Event(
            at=now,
            actor=actor,
            action=action,
            site_id=site_id,
            compartment_id=compartment_id,
            parcel_id=parcel_id,
            detail=detail or None,
        )
    )
