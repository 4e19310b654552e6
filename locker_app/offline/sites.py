"""A site's offline setting: its verifier salt, made on first use, and the operator's switch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import OfflineSite, OfflineVerifier
from .scheme import new_salt


def setting(session: Session, now: datetime, site_id: int) -> OfflineSite:
    """The site's row, made (with a fresh salt) if there is none; two makers at once keep the first."""
    found = session.get(OfflineSite, site_id)
    if found is not None:
        return found
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(dialect_insert(OfflineSite).values(site_id=site_id, salt=new_salt(), enabled=True,
                                                       changed_at=now).on_conflict_do_nothing())
    made = session.scalar(select(OfflineSite).where(OfflineSite.site_id == site_id))
    assert made is not None
    return made


def set_enabled(session: Session, now: datetime, site_id: int, enabled: bool) -> OfflineSite:
    """Turning offline pickup off drops the site's verifiers (the kiosk is served none and drops its own);
    turning it back on starts a new salt, so nothing made before can come back."""
    row = setting(session, now, site_id)
    if row.enabled != enabled:
        row.enabled = enabled
        row.changed_at = now
        if not enabled:
            session.execute(delete(OfflineVerifier).where(OfflineVerifier.site_id == site_id))
            row.salt = new_salt()
    return row

