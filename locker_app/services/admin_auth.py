"""Admin sign-in: passwords (Werkzeug hashes), throttling kept in the database, and API tokens.

Throttling counts attempts, not only failures, and each attempt is committed before it is counted
(`record_attempt`, commit, then `check_throttle`): of N concurrent guesses on any number of workers,
the k-th to commit sees at least k attempts, so no more than the limit ever reach the password check.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Admin, AdminLoginAttempt
from . import events
from .errors import ServiceError
from .tokens import token_digest

WINDOW = timedelta(minutes=15)
# Per username *from one address*: counted by the name alone, anyone who knows a username could keep its
# owner out by guessing from elsewhere. Guessing across many names is held by the per-address limit.
PER_USERNAME = 5
PER_ADDRESS = 20
ROLES = ("operator", "viewer")
# Checked against when the username is unknown, so that a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password-anyone-has")


class LoginThrottled(ServiceError):
    status = 429
    slug = "login-throttled"
    title = "Too many sign-in attempts"


@dataclass(frozen=True)
class Attempt:
    id: int
    username: str
    remote_addr: str


def username_key(raw: object) -> str:
    return raw.strip().lower()[:80] if isinstance(raw, str) else ""


def actor(admin: Admin) -> str:
    return f"admin:{admin.id}"


def record_attempt(session: Session, now: datetime, username: object, remote_addr: str | None) -> Attempt:
    """Write the attempt (the caller commits it before `check_throttle`), dropping attempts older
    than the window."""
    session.execute(delete(AdminLoginAttempt).where(AdminLoginAttempt.at < now - WINDOW))
    row = AdminLoginAttempt(username=username_key(username), remote_addr=(remote_addr or "?")[:45], at=now)
    session.add(row)
    session.flush()
    return Attempt(row.id, row.username, row.remote_addr)


def _retry_after(times: list[datetime], limit: int, now: datetime) -> int | None:
    if len(times) <= limit:
        return None
    # Once the limit-th newest attempt leaves the window, one more attempt is allowed.
    newest_first = sorted(times, reverse=True)
    return max(1, int((newest_first[limit - 1] + WINDOW - now).total_seconds()) + 1)


def check_throttle(session: Session, now: datetime, attempt: Attempt) -> None:
    since = now - WINDOW
    by_name = list(session.scalars(select(AdminLoginAttempt.at).where(
        AdminLoginAttempt.username == attempt.username, AdminLoginAttempt.remote_addr == attempt.remote_addr,
        AdminLoginAttempt.at >= since)))
    by_addr = list(session.scalars(select(AdminLoginAttempt.at).where(
        AdminLoginAttempt.remote_addr == attempt.remote_addr, AdminLoginAttempt.at >= since)))
    waits = [w for w in (_retry_after(by_name, PER_USERNAME, now), _retry_after(by_addr, PER_ADDRESS, now)) if w]
    if waits:
        wait = max(waits)
        raise LoginThrottled(f"too many sign-in attempts; try again in {(wait + 59) // 60} minute(s)",
                             retry_after=wait, headers={"Retry-After": str(wait)})


def authenticate(session: Session, now: datetime, attempt: Attempt, password: object) -> Admin | None:
    """The admin when the password is right (and the username's attempts are forgotten), else None.
    Either way the outcome is an event."""
    admin = None
    if attempt.username:
        # Throttling counts by the lower-cased name, so sign-in matches it the same way.
        admin = session.scalar(select(Admin).where(func.lower(Admin.username) == attempt.username)
                               .order_by(Admin.id).limit(1))
    given = password if isinstance(password, str) else ""
    ok = check_password_hash(admin.password_hash if admin else _DUMMY_HASH, given) and admin is not None
    if admin is not None and ok:
        session.execute(delete(AdminLoginAttempt).where(AdminLoginAttempt.username == attempt.username,
                                                        AdminLoginAttempt.remote_addr == attempt.remote_addr))
        events.record(session, now, actor(admin), "admin.login", ip=attempt.remote_addr)
        return admin
    # The typed name of an unknown user is not kept: it is often a password typed in the wrong box.
    events.record(session, now, actor(admin) if admin else "anonymous", "admin.login_failed",
                  ip=attempt.remote_addr, known_user=admin is not None)
    return None


def admin_names(session: Session) -> dict[str, str]:
    """{actor: username} for showing who did something."""
    return {actor(a): a.username for a in session.scalars(select(Admin))}


def session_fingerprint(admin: Admin) -> str:
    """Changes when the password does, which ends every session signed in with the old one."""
    return hashlib.sha256(admin.password_hash.encode()).hexdigest()[:16]


def admin_for_token(session: Session, token: str) -> Admin | None:
    return session.scalar(select(Admin).where(Admin.token_digest == token_digest(token)))
