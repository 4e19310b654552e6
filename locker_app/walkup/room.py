"""How much room a site has for a walk-up deposit, as the touchscreen shows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ..models import SIZES, Compartment, Parcel, Site, parcel_active
from ..services.assignment import alternatives


def free_by_size(session: Session, site_id: int) -> dict[str, int]:
    """Free compartments a courier's deposit can get (in service, empty; not those kept for wheelchair users,
    which the assignment gives only to a parcel that asks for one)."""
    occupied = exists().where(Parcel.compartment_id == Compartment.id, parcel_active())
    rows = session.execute(
        select(Compartment.size, func.count())
        .where(Compartment.site_id == site_id, Compartment.in_service.is_(True), Compartment.accessible.is_(False),
               ~occupied)
        .group_by(Compartment.size)
    ).all()
    counts = dict.fromkeys(SIZES, 0)
    counts.update({size: int(count) for size, count in rows})
    return counts


def site_room(session: Session, site: Site) -> dict[str, Any]:
    """`free` by size and `pickup_only`; for a full site also the nearest sites with room."""
    free = free_by_size(session, site.id)
    pickup_only = not any(free.values())
    answer: dict[str, Any] = {"free": free, "pickup_only": pickup_only}
    if pickup_only:
        answer["alternatives"] = alternatives(session, site, SIZES[0], False)
    return answer
