"""Tables and the constraints the database itself enforces."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    bindparam,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from .extensions import db

SIZES = ("S", "M", "L", "XL")
# A compartment holds at most one parcel in these states; the partial unique index below says so.
ACTIVE_STATES = ("reserved", "stored", "expired")
PARCEL_STATES = ("reserved", "stored", "picked_up", "cancelled", "expired", "returned")
_ACTIVE_SQL = "state IN (" + ", ".join(f"'{state}'" for state in ACTIVE_STATES) + ")"  # the partial index's


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _uuid() -> str:
    return uuid.uuid4().hex


class Site(db.Model):  # type: ignore[name-defined]
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    sms_name: Mapped[str] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(80), index=True)
    country: Mapped[str] = mapped_column(String(2), default="KR")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    language: Mapped[str] = mapped_column(String(2), default="ko")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # Public: the address residents type into a shop's order form, and when the locker can be reached.
    address: Mapped[str | None] = mapped_column(String(200))
    opening_hours: Mapped[str | None] = mapped_column(String(80))
    require_phone_suffix: Mapped[bool] = mapped_column(Boolean, default=False)
    # twilio | solapi | console, over the country's sender (LOCKER_SMS_SENDER_BY_COUNTRY); None: by country.
    sms_sender: Mapped[str | None] = mapped_column(String(16))
    # Storage policy; defaults follow Seoul's public lockers.
    reservation_hold_minutes: Mapped[int] = mapped_column(Integer, default=15)
    free_hours: Mapped[int] = mapped_column(Integer, default=48)
    fee_per_day: Mapped[int] = mapped_column(Integer, default=1000)
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    reminder_after_hours: Mapped[int] = mapped_column(Integer, default=24)
    reminder_before_free_end_hours: Mapped[int] = mapped_column(Integer, default=6)
    expiry_days: Mapped[int] = mapped_column(Integer, default=7)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    compartments: Mapped[list[Compartment]] = relationship(back_populates="site", order_by="Compartment.label")


class Compartment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "compartments"
    __table_args__ = (
        UniqueConstraint("site_id", "label", name="uq_compartments_site_label"),
        Index("ix_compartments_assignment", "site_id", "size", "in_service", "accessible", "last_used_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    label: Mapped[str] = mapped_column(String(8))
    size: Mapped[str] = mapped_column(String(2))
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    in_service: Mapped[bool] = mapped_column(Boolean, default=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship(back_populates="compartments")


class Carrier(db.Model):  # type: ignore[name-defined]
    __tablename__ = "carriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Courier(db.Model):  # type: ignore[name-defined]
    __tablename__ = "couriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"))
    name: Mapped[str] = mapped_column(String(120))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    carrier: Mapped[Carrier] = relationship()


class Kiosk(db.Model):  # type: ignore[name-defined]
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship()


class Admin(db.Model):  # type: ignore[name-defined]
    __tablename__ = "admins"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="operator")
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Every district (a city-wide admin), else only those in admin_districts (locker_app/scope).
    all_districts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The admin pages' language for this admin (ko, en); None follows the browser.
    language: Mapped[str | None] = mapped_column(String(2))


class Parcel(db.Model):  # type: ignore[name-defined]
    __tablename__ = "parcels"
    __table_args__ = (
        Index(
            "uq_parcels_one_active_per_compartment",
            "compartment_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_parcels_carrier_created", "carrier_id", "created_at"),
        Index("ix_parcels_site_state", "site_id", "state"),
        Index("ix_parcels_state_reserved_until", "state", "reserved_until"),
        Index("ix_parcels_state_pickup_deadline", "state", "pickup_deadline"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_uuid)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    compartment_id: Mapped[int] = mapped_column(ForeignKey("compartments.id"))
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"))
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"))
    tracking_number: Mapped[str] = mapped_column(String(64), index=True)
    recipient_phone: Mapped[str | None] = mapped_column(String(20))
    size_requested: Mapped[str] = mapped_column(String(2))
    accessible_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16))
    notification_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reserved_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deposited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    free_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pickup_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Storage policy: set in the job's transaction that queued the SMS, so each goes out at most once.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    free_end_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the kiosk reports that the parcel's door did not open (or close): admins follow it up.
    door_fault_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship()
    compartment: Mapped[Compartment] = relationship()
    courier: Mapped[Courier] = relationship()


class Payment(db.Model):  # type: ignore[name-defined]
    """A storage fee paid at the kiosk's card terminal; one terminal reference pays for one parcel."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("site_id", "reference", name="uq_payments_site_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[str] = mapped_column(ForeignKey("parcels.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)


def parcel_active() -> ColumnElement[bool]:
    """`parcels.state IN ('reserved', 'stored', 'expired')`, the states written into the SQL, not sent as parameters.

    psycopg prepares a statement once it has run five times, and PostgreSQL may then plan it once for any
    parameters (a generic plan). A generic plan can use the partial index uq_parcels_one_active_per_compartment
    only if the statement's own predicate proves the index's, which a parameter never does: the reservation's
    free-compartment query then hash-joined every parcel in the table (3.6 ms at 10,000 parcels instead of 0.15 ms,
    and growing with the table; bench/README.md, "quick vs full"). Literals keep the index usable in every plan.
    """
    return Parcel.state.in_(bindparam("active_parcel_states", ACTIVE_STATES, expanding=True, literal_execute=True))


class AccessCode(db.Model):  # type: ignore[name-defined]
    """A pickup or return code, kept only as HMAC-SHA256(pepper, site || code)."""

    __tablename__ = "access_codes"
    __table_args__ = (
        Index(
            "uq_access_codes_active_digest",
            "site_id",
            "digest",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[str] = mapped_column(ForeignKey("parcels.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(8))  # pickup | return
    digest: Mapped[str] = mapped_column(String(64))
    # Which pepper made the digest (LOCKER_CODE_PEPPER's id), so codes outlive a pepper rotation.
    pepper_id: Mapped[str] = mapped_column(String(16), default="1", server_default="1")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parcel: Mapped[Parcel] = relationship()


class Message(db.Model):  # type: ignore[name-defined]
    """One SMS in the outbox."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_messages_to_phone_created_at", "to_phone", "created_at"),
        # The hourly SMS caps (sms/caps.py) count by these.
        Index("ix_messages_created_at", "created_at"),
        Index("ix_messages_courier_created_at", "courier_id", "created_at"),
        Index("ix_messages_carrier_created_at", "carrier_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[str | None] = mapped_column(ForeignKey("parcels.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(16))
    to_phone: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    # Where the one-time code sits in body. body holds it masked; the code itself is only sealed (locker_app.sealing),
    # opened by the relay to send and dropped once the provider has the message.
    code_offset: Mapped[int | None] = mapped_column(Integer)
    code_sealed: Mapped[str | None] = mapped_column(String(96))
    # Whose parcel or action caused the message, for the SMS caps per carrier and courier (sms/caps.py).
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id"))
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("couriers.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    segments: Mapped[int | None] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Asking the provider to forget the text after pickup (LOCKER_TWILIO_REDACT): done | failed.
    redaction: Mapped[str | None] = mapped_column(String(8))


class Event(db.Model):  # type: ignore[name-defined]
    """The audit trail: who did what to which compartment or parcel, when."""

    __tablename__ = "events"
    # ix_events_action: /metrics counts keypad.locked events at every scrape (services/gauges.py).
    __table_args__ = (Index("ix_events_at", "at"), Index("ix_events_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    compartment_id: Mapped[int | None] = mapped_column(ForeignKey("compartments.id"))
    parcel_id: Mapped[str | None] = mapped_column(ForeignKey("parcels.id"), index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IdempotencyRecord(db.Model):  # type: ignore[name-defined]
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("courier_id", "key", name="uq_idempotency_records_courier_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8))  # running | done
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class KeypadState(db.Model):  # type: ignore[name-defined]
    """One row per site: locked FOR UPDATE around every code attempt, so all workers share one budget."""

    __tablename__ = "keypad_states"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    # Failures with a higher id count toward the back-off (moved on by an unlock only); ids, not times,
    # because an unlock and the next failure may share a timestamp.
    streak_after_id: Mapped[int] = mapped_column(Integer, default=0)
    # Failures with a higher id count toward the 7-day lock (moved on by an unlock).
    window_after_id: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KeypadFailure(db.Model):  # type: ignore[name-defined]
    """One rejected code at a site. Never delete the newest rows: SQLite would hand their ids out again and
    KeypadState's *_after_id marks would then hide new failures."""

    __tablename__ = "keypad_failures"
    __table_args__ = (Index("ix_keypad_failures_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRun(db.Model):  # type: ignore[name-defined]
    """How often each scheduled job ran and how long it took, so the web process can report the
    scheduler's work in /metrics (the scheduler is another process, often on another host)."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    seconds_total: Mapped[float] = mapped_column(Float, default=0.0)
    last_seconds: Mapped[float | None] = mapped_column(Float)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KioskCommand(db.Model):  # type: ignore[name-defined]
    """An admin's remote open, waiting for the site's kiosk to poll and acknowledge it."""

    __tablename__ = "kiosk_commands"
    __table_args__ = (Index("ix_kiosk_commands_site_pending", "site_id", "acked_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    compartment_id: Mapped[int] = mapped_column(ForeignKey("compartments.id"))
    kind: Mapped[str] = mapped_column(String(16))  # open
    reason: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_by_kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"))
    result: Mapped[str | None] = mapped_column(String(16))  # opened | failed

    compartment: Mapped[Compartment] = relationship()


class AdminLoginAttempt(db.Model):  # type: ignore[name-defined]
    """One admin login attempt, kept for the throttling window, so every worker counts the same attempts."""

    __tablename__ = "admin_login_attempts"
    __table_args__ = (
        Index("ix_admin_login_attempts_username_at", "username", "at"),
        Index("ix_admin_login_attempts_remote_addr_at", "remote_addr", "at"),
        Index("ix_admin_login_attempts_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    remote_addr: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class OccupancySnapshot(db.Model):  # type: ignore[name-defined]
    """Occupancy of one size at one site at the start of an hour, for the admin's chart."""

    __tablename__ = "occupancy_snapshots"
    __table_args__ = (
        UniqueConstraint("site_id", "taken_at", "size", name="uq_occupancy_snapshots_site_taken_size"),
        Index("ix_occupancy_snapshots_taken_at", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    size: Mapped[str] = mapped_column(String(2))
    total: Mapped[int] = mapped_column(Integer)
    free: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer)
    occupied: Mapped[int] = mapped_column(Integer)
    disabled: Mapped[int] = mapped_column(Integer)


# Feature packages keep their tables with them; imported here so that whoever imports the models (Alembic too)
# sees them.
from .admin_sessions import models as _admin_sessions_models  # noqa: E402,F401
from .four_eyes import models as _four_eyes_models  # noqa: E402,F401
from .offline import models as _offline_models  # noqa: E402,F401
from .scope import models as _scope_models  # noqa: E402,F401
from .walkup import models as _walkup_models  # noqa: E402,F401
