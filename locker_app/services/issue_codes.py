"""Giving a parcel a one-time code that no other active code of its site shares."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Insert, and_, bindparam, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..models import AccessCode, Parcel
from ..offline.making import note_code
from .codes import Peppers, as_peppers, code_digest, new_code

_MAX_TRIES = 20


def digests_under(peppers: Peppers, site_id: int, code: str) -> dict[str, str]:
    """The code's digest under every known pepper, by pepper id."""
    return {key_id: code_digest(secret, site_id, code) for key_id, secret in peppers.known}


def matching(digests: dict[str, str]) -> ColumnElement[bool]:
    """Finds a code row whichever known pepper it was issued under."""
    return or_(*(and_(AccessCode.pepper_id == key_id, AccessCode.digest == digest)
                 for key_id, digest in digests.items()))


@cache
def _insert_code(dialect: str) -> Insert:
    """Built once per dialect, so its compiled form is reused (it runs in every deposit)."""
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (dialect_insert(AccessCode)
            .on_conflict_do_nothing(index_elements=["site_id", "digest"], index_where=text("active"))
            .returning(AccessCode.id))


_VOID = update(AccessCode).where(AccessCode.parcel_id == bindparam("b_parcel_id"), AccessCode.active.is_(True))
_VOID_KIND = _VOID.where(AccessCode.kind == bindparam("b_kind"))


def issue_code(session: Session, parcel: Parcel, kind: str, pepper: Peppers | str, now: datetime) -> str:
    """Void the parcel's active codes of this kind and return a new one (the only time it is in clear)."""
    return issue_code_for(session, parcel.id, parcel.site_id, kind, pepper, now)


def issue_code_for(session: Session, parcel_id: str, site_id: int, kind: str, pepper: Peppers | str,
                   now: datetime) -> str:
    peppers = as_peppers(pepper)
    void_codes(session, parcel_id, kind)
    # Statements on the session's connection: codes are never held as objects, so the ORM would only add cost.
    connection = session.connection()
    insert_code = _insert_code(connection.dialect.name)
    for _ in range(_MAX_TRIES):
        code = new_code()
        digests = digests_under(peppers, site_id, code)
        # During a rotation the same digits must not be active under an old pepper either: only then a look first.
        if len(digests) > 1 and connection.scalar(
            select(AccessCode.id).where(AccessCode.site_id == site_id, AccessCode.active,
                                        matching(digests)).limit(1)
        ) is not None:
            continue
        # Under the current pepper, one statement instead of look, savepoint, insert, release: the partial unique
        # index over a site's active codes turns a taken digest (drawn before, or by a concurrent deposit) into no
        # row, and we draw again.
        inserted = connection.scalar(insert_code, {
            "parcel_id": parcel_id, "site_id": site_id, "kind": kind, "digest": digests[peppers.current_id],
            "pepper_id": peppers.current_id, "active": True, "created_at": now})
        if inserted is not None:
            note_code(session, inserted, code, now)  # sealed: the scheduler makes its offline verifier
            return code
    raise RuntimeError("could not draw a free code")  # 20 collisions in 10^8 means the site is broken


def void_codes(session: Session, parcel_id: str, kind: str | None = None) -> None:
    session.connection().execute(_VOID if kind is None else _VOID_KIND,
                                 {"b_parcel_id": parcel_id, "b_kind": kind, "active": False})
