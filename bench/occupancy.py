"""The admin occupancy summary for one district: `locker_app.services.occupancy.occupancy`, the function behind
`GET /admin/api/occupancy`, called in process (the HTTP layer is the same as every other admin JSON answer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from locker_app.services.occupancy import occupancy


def source() -> str:
    return "locker_app.services.occupancy.occupancy(session, now, district=...)"


def summary(session: Session, now: datetime, district: str) -> Any:
    return occupancy(session, now, district=district)
