"""Resolving and changing an admin's scope; plain functions over the session."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Admin, Site
from ..services import events
from ..services.errors import Forbidden, InvalidInput
from .models import AdminDistrict

DISTRICT_MAX = 80


@dataclass(frozen=True)
class Scope:
    """What one admin may see, resolved once per request. `site_ids` None: every site (city-wide)."""

    admin_id: int
    role: str
    all_districts: bool
    districts: tuple[str, ...]
    site_ids: frozenset[int] | None
    # Sites that use the phone's last four digits as a second factor: a viewer does not see those digits.
    hide_last_four_at: frozenset[int]

    def sees(self, site_id: int | None) -> bool:
        return self.site_ids is None or site_id in self.site_ids

    def hides_last_four(self, site_id: int | None) -> bool:
        return site_id in self.hide_last_four_at


def districts_of(session: Session, admin: Admin) -> list[str]:
    return list(session.scalars(select(AdminDistrict.district).where(AdminDistrict.admin_id == admin.id)
                                .order_by(AdminDistrict.district)))


def resolve(session: Session, admin: Admin) -> Scope:
    """Read before the scope is active (these queries must see every site)."""
    names = () if admin.all_districts else tuple(districts_of(session, admin))
    query = select(Site.id, Site.require_phone_suffix)
    if not admin.all_districts:
        query = query.where(Site.district.in_(names))
    rows = session.execute(query).all()
    ids = frozenset(site_id for site_id, _ in rows)
    hidden = frozenset(site_id for site_id, suffix in rows if suffix) if admin.role == "viewer" else frozenset()
    return Scope(admin.id, admin.role, admin.all_districts, names, None if admin.all_districts else ids, hidden)


def parse_districts(raw: object) -> list[str]:
    """`Mapo-gu, Seocho-gu` -> ['Mapo-gu', 'Seocho-gu']; at least one, each printable and short."""
    parts = raw if isinstance(raw, list) else str(raw or "").split(",")
    names = sorted({p.strip() for p in parts if isinstance(p, str) and p.strip()})
    if not names:
        raise InvalidInput("name at least one district, or choose all districts", field="districts")
    for name in names:
        if len(name) > DISTRICT_MAX or not name.isprintable():
            raise InvalidInput(f"a district name is at most {DISTRICT_MAX} printable characters", field="districts")
    return names


def set_scope(session: Session, now: datetime, admin: Admin, districts: Iterable[str] | None, actor: str) -> None:
    """None: every district. Ends the admin's sessions (a narrowed scope must not live on in an open tab)."""
    from ..admin_sessions.service import end_all

    names = None if districts is None else parse_districts(list(districts))
    session.execute(delete(AdminDistrict).where(AdminDistrict.admin_id == admin.id))
    admin.all_districts = names is None
    for name in names or ():
        session.add(AdminDistrict(admin_id=admin.id, district=name))
    session.flush()
    ended = end_all(session, admin.id)
    events.record(session, now, actor, "admin.scope_changed", admin=admin.username,
                  all_districts=names is None, districts=names or [], sessions_ended=ended)


def require_city_wide_operator(scope: Scope) -> None:
    if not (scope.all_districts and scope.role == "operator"):
        raise Forbidden("only a city-wide operator can change who sees which districts")


def require_city_wide(scope: Scope) -> None:
    """Couriers deliver to every district's sites: only a city-wide admin lists or manages them, so that a
    district's operator cannot lock a courier out of another district's lockers."""
    if not scope.all_districts:
        raise Forbidden("couriers work across districts: only a city-wide admin manages them")


def known_districts(session: Session) -> list[str]:
    return [d for d in session.scalars(select(Site.district).distinct().order_by(Site.district)) if d]
