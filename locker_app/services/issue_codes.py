"""Giving a parcel a one-time code that no other active code of its site shares."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import AccessCode, Parcel
from .codes import code_digest, new_code

_MAX_TRIES = 20


def issue_code(session: Session, parcel: Parcel, kind: str, pepper: str, now: datetime) -> str:
    """Void the parcel's active codes of this kind and return a new one (the only time it is in clear)."""
    void_codes(session, parcel.id, kind)
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for _ in range(_MAX_TRIES):
        code = new_code()
        # One statement instead of look, savepoint, insert, release: the partial unique index over a site's
        # active codes turns a taken code (drawn before, or by a concurrent deposit) into no row, and we draw again.
        inserted = session.scalar(
            dialect_insert(AccessCode)
            .values(parcel_id=parcel.id, site_id=parcel.site_id, kind=kind,
                    digest=code_digest(pepper, parcel.site_id, code), active=True, created_at=now)
            .on_conflict_do_nothing(index_elements=["site_id", "digest"], index_where=text("active"))
            .returning(AccessCode.id)
        )
        if inserted is not None:
            return code
    raise RuntimeError("could not draw a free code")  # 20 collisions in 10^8 means the site is broken


def void_codes(session: Session, parcel_id: str, kind: str | None = None) -> None:
    stmt = update(AccessCode).where(AccessCode.parcel_id == parcel_id, AccessCode.active.is_(True))
    if kind is not None:
        stmt = stmt.where(AccessCode.kind == kind)
    session.execute(stmt.values(active=False).execution_options(synchronize_session=False))
