"""Tables of offline pickup: a site's salt and switch, the verifiers, the agent's replays and reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import UTCDateTime


class OfflineSite(db.Model):  # type: ignore[name-defined]
    """A site's verifier salt, and whether its kiosk may hand out parcels offline (on unless turned off)."""

    __tablename__ = "offline_sites"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OfflineVerifier(db.Model):  # type: ignore[name-defined]
    """scrypt(code) under the site's salt, one per issued code; served while the code is active."""

    __tablename__ = "offline_verifiers"
    __table_args__ = (Index("ix_offline_verifiers_site_created", "site_id", "created_at"),)

    code_id: Mapped[int] = mapped_column(ForeignKey("access_codes.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(8))
    verifier: Mapped[str] = mapped_column(String(64))
    with_phone_suffix: Mapped[bool] = mapped_column(Boolean, default=False)
    # The salt and parameters it was made under: after a change of either it is stale, and not served.
    salt: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OfflineReplay(db.Model):  # type: ignore[name-defined]
    """One item an agent replayed, by its idempotency key: a second replay answers the same, changes nothing."""

    __tablename__ = "offline_replays"
    __table_args__ = (UniqueConstraint("kiosk_id", "key", name="uq_offline_replays_kiosk_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    key: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgentReport(db.Model):  # type: ignore[name-defined]
    """What a kiosk's agent last said about itself: its last verifier sync and its offline queue."""

    __tablename__ = "agent_reports"

    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queue_length: Mapped[int] = mapped_column(Integer, default=0)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PendingVerifier(db.Model):  # type: ignore[name-defined]
    """A code whose verifier is still to be made: the code sealed (AES-GCM, never in clear), written in the code's
    own transaction, hashed by the scheduler and deleted (offline/making.py)."""

    __tablename__ = "offline_pending_verifiers"
    __table_args__ = (Index("ix_offline_pending_verifiers_queued", "queued_at"),)

    code_id: Mapped[int] = mapped_column(ForeignKey("access_codes.id"), primary_key=True)
    code_sealed: Mapped[str] = mapped_column(String(96))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
