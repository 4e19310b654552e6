"""What a sender needs to know about a message beyond its number and text: whose site, which kind.

The relay reads it with the claim (one query per batch, in its own thread: the sending threads never touch
the database) and hands it to the sender with the message (sms/sending.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Site


@dataclass(frozen=True)
class Route:
    kind: str  # delivery | reminder | expiry | return | resend ...: picks the 알림톡 template
    country: str | None = None  # the site's country: picks the sender (LOCKER_SMS_SENDER_BY_COUNTRY)
    language: str | None = None  # the site's language: picks the 알림톡 template
    site_sender: str | None = None  # the site's own choice (sites.sms_sender), over its country's


def site_routes(session: Session, site_ids: Iterable[int | None]) -> dict[int, tuple[str, str, str | None]]:
    """country, language and sms_sender of each site named, in one query."""
    ids = {site_id for site_id in site_ids if site_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(Site.id, Site.country, Site.language, Site.sms_sender).where(Site.id.in_(ids)))
    return {row.id: (row.country, row.language, row.sms_sender) for row in rows}


def route_of(routes: dict[int, tuple[str, str, str | None]], site_id: int | None, kind: str) -> Route:
    found = routes.get(site_id) if site_id is not None else None
    if found is None:
        return Route(kind)
    country, language, site_sender = found
    return Route(kind, country, language, site_sender)
