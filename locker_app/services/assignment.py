"""Which compartment a new parcel goes into."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, exists, func, select, true
from sqlalchemy.orm import Session

from ..models import SIZES, Compartment, Parcel, Site, parcel_active

SIZE_RANK = {size: rank for rank, size in enumerate(SIZES)}
# How many locked-then-taken compartments we step over before giving up; see assign_compartment.
_MAX_STEPS = 8


def sizes_that_fit(size: str) -> tuple[str, ...]:
    """The requested size first, then larger ones: a parcel may be upsized, never squeezed."""
    return SIZES[SIZE_RANK[size]:]


def _occupied(compartment_id: Any) -> Any:
    return exists().where(Parcel.compartment_id == compartment_id, parcel_active())


@dataclass(frozen=True)
class Assigned:
    id: int
    label: str
    size: str


# Built once (see services/parcels.py): the site, the sizes and the accessibility come as parameters.
_CHOOSE = (
    select(Compartment.id, Compartment.label, Compartment.size)
    .where(
        Compartment.site_id == bindparam("site_id"),
        Compartment.in_service == true(),
        Compartment.accessible == bindparam("accessible"),
        Compartment.size.in_(bindparam("sizes", expanding=True)),
        ~_occupied(Compartment.id),
    )
    .order_by(case(SIZE_RANK, value=Compartment.size), Compartment.last_used_at.asc().nulls_first(), Compartment.id)
    .limit(1)
    .with_for_update(skip_locked=True, of=Compartment)
)
_CHOOSE_SKIPPING = _CHOOSE.where(Compartment.id.not_in(bindparam("skipped", expanding=True)))
_RECHECK = select(_occupied(bindparam("compartment_id")))


def assign_compartment(session: Session, site_id: int, size: str, accessible: bool) -> Assigned | None:
    """Lock and return the best free compartment, or None when the site has no room for the size.

    Best means: smallest size that fits, then least recently used (to spread wear on doors and
    hinges), and accessible compartments only for those who asked for one, so that they stay free
    for residents who need them. Callers must insert the parcel in the same transaction.
    """
    connection = session.connection()  # columns, not objects: this runs in every reservation
    params: dict[str, Any] = {"site_id": site_id, "accessible": accessible, "sizes": list(sizes_that_fit(size))}
    skipped: list[int] = []
    for _ in range(_MAX_STEPS):
        row = connection.execute(_CHOOSE_SKIPPING if skipped else _CHOOSE, {**params, "skipped": skipped}).first()
        if row is None:
            return None
        # Under READ COMMITTED the lock can be won just after another transaction committed a
        # parcel into this compartment, which the first statement's snapshot could not see; a
        # fresh statement can.
        if not connection.scalar(_RECHECK, {"compartment_id": row.id}):
            return Assigned(row.id, row.label, row.size)
        skipped.append(row.id)
    return None


def _distance_m(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp, dl = p2 - p1, math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def alternatives(session: Session, site: Site, size: str, accessible: bool, limit: int = 3) -> list[dict[str, Any]]:
    """Nearby sites that have room for the size right now, nearest first."""
    free = func.count(Compartment.id)
    rows = session.execute(
        select(Site.code, Site.name, Site.lat, Site.lon, Site.district, free)
        .join(Compartment, Compartment.site_id == Site.id)
        .where(
            Site.id != site.id,
            Site.country == site.country,
            Compartment.in_service.is_(True),
            Compartment.accessible.is_(accessible),
            Compartment.size.in_(sizes_that_fit(size)),
            ~_occupied(Compartment.id),
        )
        .group_by(Site.id, Site.code, Site.name, Site.lat, Site.lon, Site.district)
    ).all()
    found = []
    for code, name, lat, lon, district, count in rows:
        if None not in (site.lat, site.lon, lat, lon):
            distance: float | None = _distance_m(site.lat, site.lon, lat, lon)  # type: ignore[arg-type]
        elif district is not None and district == site.district:
            distance = None
        else:
            continue
        found.append({"site": code, "name": name, "free": count,
                      "distance_m": None if distance is None else round(distance)})
    found.sort(key=lambda alt: (alt["distance_m"] is None, alt["distance_m"] or 0, alt["site"]))
    return found[:limit]
