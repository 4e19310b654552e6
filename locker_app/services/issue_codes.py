"""Giving a parcel a one-time code that no other active code of its site shares."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import AccessCode, Parcel
from .codes import code_digest, new_code

_MAX_TRIES = 20


def issue_code(session: Session, parcel: Parcel, kind: str, pepper: str, now: datetime) -> str:
    """Void the parcel's active codes of this kind and return a new one (the only time it is in clear)."""
    void_codes(session, parcel.id, kind)
    for _ in range(_MAX_TRIES):
        code = new_code()
        digest = code_digest(pepper, parcel.site_id, code)
        taken = session.scalar(
            select(AccessCode.id).where(
                AccessCode.site_id == parcel.site_id, AccessCode.digest == digest, AccessCode.active.is_(True)
            )
        )
        if taken is not None:
            continue
        try:
            # A concurrent deposit may take the same digest between our check and insert; the
            # partial unique index catches it and we draw again.
            with session.begin_nested():
                session.add(AccessCode(parcel_id=parcel.id, site_id=parcel.site_id, kind=kind,
                                       digest=digest, active=True, created_at=now))
        except IntegrityError:
            continue
        return code
    raise RuntimeError("could not draw a free code")  # 20 collisions in 10^8 means the site is broken


def void_codes(session: Session, parcel_id: str, kind: str | None = None) -> None:
    stmt = update(AccessCode).where(AccessCode.parcel_id == parcel_id, AccessCode.active.is_(True))
    if kind is not None:
        stmt = stmt.where(AccessCode.kind == kind)
    session.execute(stmt.values(active=False).execution_options(synchronize_session=False))
