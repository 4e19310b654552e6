"""A remote open of an occupied compartment, waiting for (or given) a second operator's approval."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Compartment, Site, UTCDateTime


class OpenRequest(db.Model):  # type: ignore[name-defined]
    __tablename__ = "open_requests"
    __table_args__ = (Index("ix_open_requests_state_site", "state", "site_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    compartment_id: Mapped[int] = mapped_column(ForeignKey("compartments.id"))
    parcel_id: Mapped[str] = mapped_column(ForeignKey("parcels.id"))
    category: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))  # compartments.REASON_MAX
    state: Mapped[str] = mapped_column(String(16))  # pending | approved
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    command_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_commands.id"))

    site: Mapped[Site] = relationship()
    compartment: Mapped[Compartment] = relationship()
