"""The directory's rules as plain functions: coarse availability, search and distance.

Availability is deliberately coarse ("room", "almost-full", "pickup-only"): an exact count of free doors,
watched over a day, tells a stranger when one resident's parcel arrives and leaves."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Compartment, Site
from ..services.occupancy import size_counts

# At or below this share of in-service doors free, a site is "almost full" (and with none, "pickup only").
ALMOST_FULL_SHARE = 0.2
EARTH_RADIUS_KM = 6371.0
SORTS = ("distance", "name", "district")


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def availability(free: int, in_service: int) -> str:
    if free <= 0:
        return "pickup-only"
    if free <= max(1, math.floor(in_service * ALMOST_FULL_SHARE)):
        return "almost-full"
    return "room"


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine): plenty for ordering lockers within a city."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _matches(entry: dict[str, Any], words: list[str]) -> bool:
    text = " ".join(str(entry[k] or "") for k in ("site", "name", "address", "district")).casefold()
    return all(word in text for word in words)


def public_sites(session: Session, *, query: str = "", near: Point | None = None,
                 sort: str = "distance") -> list[dict[str, Any]]:
    """Every site as the public may see it, filtered by the words of `query`, nearest first when `near` is given."""
    sites = session.scalars(select(Site).order_by(Site.district, Site.name, Site.code)).all()
    counts = size_counts(session, [site.id for site in sites])
    accessible = set(session.scalars(
        select(Compartment.site_id).where(Compartment.accessible.is_(True), Compartment.in_service.is_(True))
        .group_by(Compartment.site_id).having(func.count() > 0)))
    entries = []
    for site in sites:
        sizes = counts.get(site.id, {})
        free = sum(size["free"] for size in sizes.values())
        in_service = sum(size["total"] - size["disabled"] for size in sizes.values())
        entry: dict[str, Any] = {
            "site": site.code, "name": site.name, "address": site.address, "district": site.district,
            "opening_hours": site.opening_hours, "lat": site.lat, "lon": site.lon,
            "accessible": site.id in accessible, "availability": availability(free, in_service),
        }
        if near is not None:
            entry["distance_km"] = (round(distance_km(near, Point(site.lat, site.lon)), 2)
                                    if site.lat is not None and site.lon is not None else None)
        entries.append(entry)
    words = query.casefold().split()
    if words:
        entries = [entry for entry in entries if _matches(entry, words)]
    if sort == "distance" and near is not None:
        entries.sort(key=lambda e: (e["distance_km"] is None, e["distance_km"] or 0.0, e["name"]))
    elif sort == "name":
        entries.sort(key=lambda e: e["name"])
    return entries
