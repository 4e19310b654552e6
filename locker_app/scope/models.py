"""Which districts a scoped admin may see (admins.all_districts covers the city-wide ones)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class AdminDistrict(db.Model):  # type: ignore[name-defined]
    __tablename__ = "admin_districts"

    admin_id: Mapped[int] = mapped_column(ForeignKey("admins.id", ondelete="CASCADE"), primary_key=True)
    district: Mapped[str] = mapped_column(String(80), primary_key=True)
