"""Tables of the courier at the touchscreen: kiosk PINs, their lockouts, courier sessions, lost-code requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Courier, UTCDateTime


class KioskCredential(db.Model):  # type: ignore[name-defined]
    """A courier's sign-in at the touchscreen: his work phone and a 6-digit PIN, kept only as a scrypt hash."""

    __tablename__ = "kiosk_credentials"

    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    pin_hash: Mapped[str] = mapped_column(String(255))
    pin_set_at: Mapped[datetime] = mapped_column(UTCDateTime)

    courier: Mapped[Courier] = relationship()


class PinGuard(db.Model):  # type: ignore[name-defined]
    """Wrong PINs typed for one phone number, on any kiosk. Keyed by a digest of the number, whether or not a
    courier has it, so that an unknown number locks exactly like a known one (the lock tells nothing). The row
    is locked FOR UPDATE around every sign-in, so concurrent kiosks cannot both spend the last try."""

    __tablename__ = "pin_guards"

    phone_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    streak: Mapped[int] = mapped_column(Integer, default=0)  # wrong PINs since the last lockout or sign-in
    lockouts: Mapped[int] = mapped_column(Integer, default=0)  # in the current day: each doubles the next
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    day_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    day_failures: Mapped[int] = mapped_column(Integer, default=0)
    pin_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # until the PIN is reset


class KioskSignInFailure(db.Model):  # type: ignore[name-defined]
    """One refused sign-in at a kiosk: the kiosk's own throttle counts these, whatever phone was typed."""

    __tablename__ = "kiosk_sign_in_failures"
    __table_args__ = (Index("ix_kiosk_sign_in_failures_kiosk_at", "kiosk_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class CourierSession(db.Model):  # type: ignore[name-defined]
    """A courier signed in at one kiosk; the id is the digest of the token the kiosk holds."""

    __tablename__ = "courier_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"), index=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    courier: Mapped[Courier] = relationship()


class LostCodeRequest(db.Model):  # type: ignore[name-defined]
    """A resident asked the touchscreen for a fresh code; the number only as a digest, to cap requests per number."""

    __tablename__ = "lost_code_requests"
    __table_args__ = (Index("ix_lost_code_requests_digest_at", "phone_digest", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_digest: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class LostCodeGrant(db.Model):  # type: ignore[name-defined]
    """A code sent by the lost-code path may open its door while the keypad is paused, for a few tries."""

    __tablename__ = "lost_code_grants"
    __table_args__ = (Index("ix_lost_code_grants_site_expires", "site_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[str] = mapped_column(ForeignKey("parcels.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    tries_left: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
