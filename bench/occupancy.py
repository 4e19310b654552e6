"""The admin occupancy summary for one district.

`locker_app.services.occupancy` (issue 6) is not on main yet; until it is, this module times the same grouped
query that service runs for the size counts (one query over the district's sites, compartments left-joined to
their active parcel), with one change that bench/README.md explains and that the service needs as well: the
parcels are restricted to the district's sites too. Once the service exists, `summary` calls it instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from locker_app.models import ACTIVE_STATES, Compartment, Parcel, Site


def _grouped_counts(session: Session, district: str) -> dict[str, Any]:
    site_ids = list(session.scalars(select(Site.id).where(Site.district == district).order_by(Site.code)))
    in_service = Compartment.in_service.is_(True)
    rows = session.execute(
        select(
            Compartment.site_id,
            Compartment.size,
            func.count(Compartment.id),
            func.sum(case((Compartment.in_service.is_(False), 1), else_=0)),
            func.sum(case((and_(in_service, Parcel.state == "reserved"), 1), else_=0)),
            func.sum(case((and_(in_service, Parcel.state.in_(("stored", "expired"))), 1), else_=0)),
        )
        # The parcels' own site filter lets PostgreSQL read only the district's active parcels (ix_parcels_site_state)
        # instead of hashing every active parcel in the network: without it this query grows with the network.
        .outerjoin(Parcel, and_(Parcel.compartment_id == Compartment.id, Parcel.state.in_(ACTIVE_STATES),
                                Parcel.site_id.in_(site_ids)))
        .where(Compartment.site_id.in_(site_ids))
        .group_by(Compartment.site_id, Compartment.size)
    ).all()
    return {"sites": len(site_ids), "rows": len(rows)}


def source() -> str:
    try:
        from locker_app.services import occupancy  # noqa: F401
    except ImportError:
        return "bench.occupancy (the service's grouped query; no occupancy service on main yet)"
    return "locker_app.services.occupancy.occupancy"


def summary(session: Session, now: datetime, district: str) -> Any:
    try:
        from locker_app.services.occupancy import occupancy  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return _grouped_counts(session, district)
    return occupancy(session, now, district=district)
