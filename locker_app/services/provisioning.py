"""Creating sites, couriers, kiosks and admins (used by the CLI, the demo seed and tests)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..models import SIZES, Admin, Carrier, Compartment, Courier, Kiosk, Site
from .errors import InvalidInput
from .passwords import check_new_password
from .tokens import new_token, token_digest

SITE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
SMS_NAME_MAX = 20


def _public_text(value: str | None, what: str, limit: int) -> str | None:
    """Address and opening hours are shown to anyone on the public directory: one printable line."""
    if value is None or not value.strip():
        return None
    value = " ".join(value.split())
    if len(value) > limit or not value.isprintable():
        raise InvalidInput(f"{what} must be one printable line of at most {limit} characters")
    return value


def parse_compartments(spec: str) -> list[tuple[str, int]]:
    """`S:10,M:6,L:3,XL:1` -> [("S", 10), ("M", 6), ...]"""
    parts = []
    for item in spec.split(","):
        size, _, count = item.strip().partition(":")
        size = size.strip().upper()
        if size not in SIZES or not (count.strip().isascii() and count.strip().isdigit()) or int(count) < 1:
            raise InvalidInput(f"expected SIZE:COUNT with SIZE in {'/'.join(SIZES)}, got {item!r}")
        parts.append((size, int(count)))
    return parts


def compartment_labels(count: int) -> list[str]:
    """A01 … A99, then B01 …: the numbering printed on the doors."""
    return [f"{chr(ord('A') + i // 99)}{i % 99 + 1:02d}" for i in range(count)]


def create_site(
    session: Session,
    now: datetime,
    code: str,
    name: str,
    compartments: str,
    *,
    tz: str = "Asia/Seoul",
    district: str | None = None,
    country: str = "KR",
    lat: float | None = None,
    lon: float | None = None,
    language: str = "ko",
    sms_name: str | None = None,
    accessible: tuple[str, ...] = (),
    address: str | None = None,
    opening_hours: str | None = None,
) -> Site:
    if not SITE_CODE.match(code):
        raise InvalidInput("a site code uses capitals, digits and dashes, like MAPO-001")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz!r}") from exc
    if language not in ("ko", "en"):
        raise InvalidInput("language must be ko or en")
    if session.scalar(select(Site.id).where(Site.code == code)) is not None:
        raise InvalidInput(f"site {code} exists already")
    site = Site(code=code, name=name, sms_name=(sms_name or name)[:SMS_NAME_MAX], district=district,
                country=country.upper(), timezone=tz, language=language, lat=lat, lon=lon, created_at=now,
                address=_public_text(address, "address", 200),
                opening_hours=_public_text(opening_hours, "opening hours", 80))
    sizes = [size for size, count in parse_compartments(compartments) for _ in range(count)]
    labels = compartment_labels(len(sizes))
    unknown = set(accessible) - set(labels)
    if unknown:
        raise InvalidInput(f"no such compartments: {', '.join(sorted(unknown))}")
    for label, size in zip(labels, sizes, strict=True):
        site.compartments.append(Compartment(label=label, size=size, accessible=label in accessible))
    session.add(site)
    session.flush()
    return site


def create_courier(session: Session, now: datetime, carrier_name: str, name: str) -> tuple[Courier, str]:
    """The courier and its API token, which exists in clear only in this return value."""
    carrier = session.scalar(select(Carrier).where(Carrier.name == carrier_name))
    if carrier is None:
        carrier = Carrier(name=carrier_name)
        session.add(carrier)
    token = new_token()
    courier = Courier(carrier=carrier, name=name, token_digest=token_digest(token), created_at=now)
    session.add(courier)
    session.flush()
    return courier, token


def create_kiosk(session: Session, now: datetime, site_code: str) -> tuple[Kiosk, str]:
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        raise InvalidInput(f"no site {site_code}")
    token = new_token()
    kiosk = Kiosk(site=site, token_digest=token_digest(token), created_at=now)
    session.add(kiosk)
    session.flush()
    return kiosk, token


def create_admin(session: Session, now: datetime, username: str, password: str, role: str = "operator",
                 with_token: bool = False, districts: list[str] | None = None) -> tuple[Admin, str | None]:
    """`districts` None: a city-wide admin (every district); else only those districts' sites."""
    if role not in ("operator", "viewer"):
        raise InvalidInput("role must be operator or viewer")
    check_new_password(password, username)
    if session.scalar(select(Admin.id).where(Admin.username == username)) is not None:
        raise InvalidInput(f"admin {username} exists already")
    token = new_token() if with_token else None
    admin = Admin(username=username, password_hash=generate_password_hash(password), role=role,
                  token_digest=token_digest(token) if token else None, created_at=now,
                  all_districts=districts is None)
    session.add(admin)
    session.flush()
    if districts is not None:
        from ..scope.models import AdminDistrict
        from ..scope.service import parse_districts

        for name in parse_districts(districts):
            session.add(AdminDistrict(admin_id=admin.id, district=name))
        session.flush()
    return admin, token
