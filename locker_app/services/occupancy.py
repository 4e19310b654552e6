"""Occupancy by site and size, the counts an admin watches beside it, and hourly snapshots for the chart.

Every number comes from a fixed handful of grouped queries over all the chosen sites, never a query
per site, so the dashboard costs the same for 2 sites as for 2,000.

Categories are exclusive and add up to `total`: a compartment out of service counts as `disabled`
whatever it holds; one in service counts as `reserved` or `occupied` (stored or expired parcel) when
it holds an active parcel, else as `free`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..models import (
    SIZES,
    Compartment,
    Event,
    KeypadState,
    Kiosk,
    Message,
    OccupancySnapshot,
    Parcel,
    Site,
    parcel_active,
)
from .errors import NotFound

COUNTS = ("total", "free", "reserved", "occupied", "disabled")
# Events that put a compartment in or out of service; the newest one says why a door is off.
DISABLE_ACTION = "compartment.disabled"
ENABLE_ACTION = "compartment.enabled"
# A door reported broken by its kiosk (the kiosk branch writes one of these when it disables a door).
FAULT_ACTIONS = ("door.fault", "compartment.fault")
STATUS_ACTIONS = (DISABLE_ACTION, ENABLE_ACTION, *FAULT_ACTIONS)
UNDELIVERED_STATUSES = ("failed", "undelivered")
WAITING_STATUSES = ("pending", "claimed")
# An SMS still unsent after this long means the relay or the provider is stuck.
SMS_WAITING_TOO_LONG = timedelta(minutes=10)
SNAPSHOT_RETENTION = timedelta(days=90)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def _empty() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def choose_sites(session: Session, *, district: str | None = None, site_code: str | None = None) -> list[Site]:
    query = select(Site).order_by(Site.district, Site.code)
    if district:
        query = query.where(Site.district == district)
    if site_code:
        query = query.where(Site.code == site_code)
    sites = list(session.scalars(query))
    if site_code and not sites and session.scalar(select(Site.id).where(Site.code == site_code)) is None:
        raise NotFound(f"there is no site {site_code!r}")
    return sites


def districts(session: Session) -> list[str]:
    return [d for d in session.scalars(select(Site.district).distinct().order_by(Site.district)) if d]


def size_counts(session: Session, site_ids: list[int] | None = None) -> dict[int, dict[str, dict[str, int]]]:
    """{site_id: {size: {total, free, reserved, occupied, disabled}}} in one grouped query."""
    in_service = Compartment.in_service.is_(True)
    query = (
        select(
            Compartment.site_id,
            Compartment.size,
            func.count(Compartment.id),
            func.sum(case((Compartment.in_service.is_(False), 1), else_=0)),
            func.sum(case((and_(in_service, Parcel.state == "reserved"), 1), else_=0)),
            func.sum(case((and_(in_service, Parcel.state.in_(("stored", "expired"))), 1), else_=0)),
        )
        .group_by(Compartment.site_id, Compartment.size)
    )
    # At most one active parcel per compartment (a unique index says so), so no double counting.
    parcel_of = and_(Parcel.compartment_id == Compartment.id, parcel_active())
    if site_ids is not None:
        # The parcels' own site filter (always true for a compartment's parcel) lets PostgreSQL read only these
        # sites' parcels instead of hashing every active parcel in the network (bench/README.md).
        parcel_of = and_(parcel_of, Parcel.site_id.in_(site_ids))
        query = query.where(Compartment.site_id.in_(site_ids))
    query = query.outerjoin(Parcel, parcel_of)
    found: dict[int, dict[str, dict[str, int]]] = {}
    for site_id, size, total, disabled, reserved, occupied in session.execute(query):
        total, disabled, reserved, occupied = int(total), int(disabled or 0), int(reserved or 0), int(occupied or 0)
        found.setdefault(site_id, {})[size] = {
            "total": total,
            "free": total - disabled - reserved - occupied,
            "reserved": reserved,
            "occupied": occupied,
            "disabled": disabled,
        }
    return found


def _parcel_counts(session: Session, now: datetime, site_ids: list[int]) -> dict[int, dict[str, int]]:
    overdue = Parcel.state == "expired"
    overdue = overdue | and_(Parcel.state == "stored", Parcel.pickup_deadline < now)
    past_free = and_(Parcel.state == "stored", Parcel.free_until < now, Parcel.pickup_deadline >= now)
    rows = session.execute(
        select(
            Parcel.site_id,
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((past_free, 1), else_=0)),
            func.sum(case((Parcel.notification_failed.is_(True), 1), else_=0)),
        )
        .where(Parcel.site_id.in_(site_ids), parcel_active())
        .group_by(Parcel.site_id)
    )
    return {site_id: {"overdue": int(a or 0), "past_free_time": int(b or 0), "notification_failed": int(c or 0)}
            for site_id, a, b, c in rows}


def latest_status_events(site_ids: list[int]) -> Any:
    """A subquery: for each compartment of the sites, the id of its newest in/out-of-service event."""
    return (
        select(Event.compartment_id, func.max(Event.id).label("event_id"))
        .where(Event.action.in_(STATUS_ACTIONS), Event.compartment_id.is_not(None), Event.site_id.in_(site_ids))
        .group_by(Event.compartment_id)
        .subquery()
    )


def _fault_counts(session: Session, site_ids: list[int]) -> dict[int, int]:
    """Doors out of service because their kiosk reported them broken (not because an admin chose to)."""
    latest = latest_status_events(site_ids)
    rows = session.execute(
        select(Compartment.site_id, func.count(Compartment.id))
        .join(latest, latest.c.compartment_id == Compartment.id)
        .join(Event, Event.id == latest.c.event_id)
        .where(Compartment.in_service.is_(False), Event.action.in_(FAULT_ACTIONS))
        .group_by(Compartment.site_id)
    )
    return {site_id: int(count) for site_id, count in rows}


def _sms_counts(session: Session, now: datetime, site_ids: list[int]) -> dict[int, dict[str, int]]:
    undelivered = and_(Message.status.in_(UNDELIVERED_STATUSES), Message.created_at >= now - timedelta(hours=24))
    waiting = and_(Message.status.in_(WAITING_STATUSES), Message.created_at < now - SMS_WAITING_TOO_LONG)
    rows = session.execute(
        select(
            Message.site_id,
            func.sum(case((undelivered, 1), else_=0)),
            func.sum(case((waiting, 1), else_=0)),
        )
        .where(Message.site_id.in_(site_ids), Message.status.in_(UNDELIVERED_STATUSES + WAITING_STATUSES))
        .group_by(Message.site_id)
    )
    return {site_id: {"sms_undelivered": int(a or 0), "sms_waiting": int(b or 0)} for site_id, a, b in rows}


def _kiosk_last_seen(session: Session, site_ids: list[int]) -> dict[int, datetime | None]:
    rows = session.execute(
        select(Kiosk.site_id, func.max(Kiosk.last_seen_at))
        .where(Kiosk.site_id.in_(site_ids), Kiosk.active.is_(True))
        .group_by(Kiosk.site_id)
    )
    return {site_id: seen for site_id, seen in rows}


def _keypads(session: Session, now: datetime, site_ids: list[int]) -> dict[int, dict[str, bool]]:
    rows = session.execute(
        select(KeypadState.site_id, KeypadState.locked_at, KeypadState.blocked_until)
        .where(KeypadState.site_id.in_(site_ids))
    )
    return {site_id: {"keypad_locked": locked_at is not None,
                      "keypad_paused": blocked_until is not None and blocked_until > now}
            for site_id, locked_at, blocked_until in rows}


def _sum(parts: list[dict[str, int]]) -> dict[str, int]:
    total = _empty()
    for part in parts:
        for key in COUNTS:
            total[key] += part[key]
    return total


def occupancy(session: Session, now: datetime, *, district: str | None = None,
              site_code: str | None = None) -> dict[str, Any]:
    """The admin occupancy document (the contract's `GET /admin/api/occupancy`)."""
    sites = choose_sites(session, district=district, site_code=site_code)
    ids = [site.id for site in sites]
    sizes = size_counts(session, ids) if ids else {}
    parcels = _parcel_counts(session, now, ids) if ids else {}
    faults = _fault_counts(session, ids) if ids else {}
    sms = _sms_counts(session, now, ids) if ids else {}
    seen = _kiosk_last_seen(session, ids) if ids else {}
    keypads = _keypads(session, now, ids) if ids else {}
    from ..walkup.reports import recent_counts  # the walk-up package's problem reports (issue 19)

    reports = recent_counts(session, now, ids) if ids else {}
    documents: list[dict[str, Any]] = []
    for site in sites:
        by_size = {size: sizes.get(site.id, {}).get(size, _empty()) for size in SIZES}
        documents.append({
            "site": site.code,
            "name": site.name,
            "district": site.district,
            "sizes": by_size,
            "total": _sum(list(by_size.values())),
            "overdue": 0, "past_free_time": 0, "notification_failed": 0,
            **parcels.get(site.id, {}),
            "faults": faults.get(site.id, 0),
            "sms_undelivered": 0, "sms_waiting": 0,
            **sms.get(site.id, {}),
            "kiosk_last_seen": _iso(seen.get(site.id)),
            "keypad_locked": False, "keypad_paused": False,
            **keypads.get(site.id, {}),
            "problem_reports": reports.get(site.id, 0),
        })
    return {"as_of": _iso(now), "sites": documents, "total": _sum([d["total"] for d in documents])}


# --- snapshots for the chart ---------------------------------------------------------------------

def hour_of(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def take_snapshot(session: Session, now: datetime) -> int:
    """Record every site's occupancy for the current hour, once: a second run in the same hour (or a
    second scheduler) inserts nothing. Returns how many rows it added."""
    taken_at = hour_of(now)
    rows = [
        {"site_id": site_id, "taken_at": taken_at, "size": size, **counts}
        for site_id, by_size in size_counts(session).items()
        for size, counts in by_size.items()
    ]
    session.execute(
        OccupancySnapshot.__table__.delete().where(OccupancySnapshot.taken_at < now - SNAPSHOT_RETENTION)
    )
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(OccupancySnapshot).values(rows).on_conflict_do_nothing(
        index_elements=["site_id", "taken_at", "size"]
    ).returning(OccupancySnapshot.id)
    return len(session.execute(statement).all())


def history(session: Session, now: datetime, *, hours: int = 48, district: str | None = None,
            site_code: str | None = None) -> dict[str, Any]:
    """Hourly sums over the chosen sites, oldest first; hours without a snapshot are left out."""
    sites = choose_sites(session, district=district, site_code=site_code)
    ids = [site.id for site in sites]
    since = hour_of(now) - timedelta(hours=hours - 1)
    points: list[dict[str, Any]] = []
    if ids:
        rows = session.execute(
            select(
                OccupancySnapshot.taken_at,
                *(func.sum(getattr(OccupancySnapshot, key)) for key in COUNTS),
            )
            .where(OccupancySnapshot.site_id.in_(ids), OccupancySnapshot.taken_at >= since,
                   OccupancySnapshot.taken_at <= now)
            .group_by(OccupancySnapshot.taken_at)
            .order_by(OccupancySnapshot.taken_at)
        )
        for taken_at, *counts in rows:
            points.append({"at": _iso(taken_at), **{k: int(v or 0) for k, v in zip(COUNTS, counts, strict=True)}})
    return {"since": _iso(since), "until": _iso(now), "hours": hours, "sites": [s.code for s in sites],
            "points": points}
