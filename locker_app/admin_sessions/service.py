"""Starting, finding and ending admin sessions. The id (256 random bits) lives only in the signed cookie;
the table keeps its digest, so ending a session is deleting its row."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import Admin
from ..services.tokens import new_token, token_digest
from .models import AdminSession

SESSION_HOURS = 12


def start(session: Session, now: datetime, admin: Admin, remote_addr: str | None) -> str:
    """A new session's id (for the cookie); expired rows are dropped on the way."""
    session.execute(delete(AdminSession).where(AdminSession.expires_at <= now))
    session_id = new_token()
    session.add(AdminSession(id_digest=token_digest(session_id), admin_id=admin.id, created_at=now,
                             expires_at=now + timedelta(hours=SESSION_HOURS), remote_addr=(remote_addr or "")[:45]))
    session.flush()
    return session_id


def admin_for(session: Session, now: datetime, session_id: object) -> Admin | None:
    if not isinstance(session_id, str) or not session_id:
        return None
    row = session.scalar(select(AdminSession).where(AdminSession.id_digest == token_digest(session_id),
                                                    AdminSession.expires_at > now))
    return session.get(Admin, row.admin_id) if row is not None else None


def end(session: Session, session_id: object) -> None:
    if isinstance(session_id, str) and session_id:
        session.execute(delete(AdminSession).where(AdminSession.id_digest == token_digest(session_id)))


def end_all(session: Session, admin_id: int) -> int:
    """Every session of one admin (sign out everywhere, a new password, a new scope); how many there were."""
    count = session.scalar(select(func.count()).select_from(AdminSession).where(AdminSession.admin_id == admin_id))
    session.execute(delete(AdminSession).where(AdminSession.admin_id == admin_id))
    return int(count or 0)


def count_open(session: Session, now: datetime, admin_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(AdminSession).where(
        AdminSession.admin_id == admin_id, AdminSession.expires_at > now)) or 0)
