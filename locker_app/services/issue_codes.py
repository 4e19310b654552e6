"""Giving a parcel a one-time code that no other active code of its site shares."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..models import AccessCode, Parcel
from .codes import Peppers, as_peppers, code_digest, new_code

_MAX_TRIES = 20


def digests_under(peppers: Peppers, site_id: int, code: str) -> dict[str, str]:
    """The code's digest under every known pepper, by pepper id."""
    return {key_id: code_digest(secret, site_id, code) for key_id, secret in peppers.known}


def matching(digests: dict[str, str]) -> ColumnElement[bool]:
    """Finds a code row whichever known pepper it was issued under."""
    return or_(*(and_(AccessCode.pepper_id == key_id, AccessCode.digest == digest)
                 for key_id, digest in digests.items()))


def issue_code(session: Session, parcel: Parcel, kind: str, pepper: Peppers | str, now: datetime) -> str:
    """Void the parcel's active codes of this kind and return a new one (the only time it is in clear)."""
    peppers = as_peppers(pepper)
    void_codes(session, parcel.id, kind)
    for _ in range(_MAX_TRIES):
        code = new_code()
        digests = digests_under(peppers, parcel.site_id, code)
        digest = digests[peppers.current_id]
        # Also under the old peppers: the same digits must not open two parcels during a rotation.
        taken = session.scalar(
            select(AccessCode.id).where(
                AccessCode.site_id == parcel.site_id, AccessCode.active.is_(True),
                matching(digests),
            ).limit(1)
        )
        if taken is not None:
            continue
        try:
            # A concurrent deposit may take the same digest between our check and insert; the
            # partial unique index catches it and we draw again.
            with session.begin_nested():
                session.add(AccessCode(parcel_id=parcel.id, site_id=parcel.site_id, kind=kind,
                                       digest=digest, pepper_id=peppers.current_id, active=True, created_at=now))
        except IntegrityError:
            continue
        return code
    raise RuntimeError("could not draw a free code")  # 20 collisions in 10^8 means the site is broken


def void_codes(session: Session, parcel_id: str, kind: str | None = None) -> None:
    stmt = update(AccessCode).where(AccessCode.parcel_id == parcel_id, AccessCode.active.is_(True))
    if kind is not None:
        stmt = stmt.where(AccessCode.kind == kind)
    session.execute(stmt.values(active=False).execution_options(synchronize_session=False))
