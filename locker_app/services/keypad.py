"""The keypad's failure budget per site, kept in the database so that every worker shares it.

After FREE_FAILURES rejected codes in a row the keypad backs off for 60 s, doubling with each further
failure; a good code or an admin's unlock ends the streak. LOCK_AFTER failures within WINDOW lock the
keypad until an admin unlocks it, whatever codes were accepted in between. Issuing codes touches none of
this. Every attempt holds the site's keypad row locked (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on
SQLite), so two workers can never both spend the last free try.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import KeypadFailure, KeypadState, Site
from . import events
from .errors import ServiceError

FREE_FAILURES = 5
FIRST_BACKOFF = timedelta(seconds=60)
LOCK_AFTER = 24
WINDOW = timedelta(hours=24)
# While an admin has to unlock, the kiosk asks again this often.
LOCKED_RETRY_AFTER = 300
_MAX_DOUBLINGS = 16  # 60 s * 2^16 is 45 days: past any window, and small enough to add to a datetime


class KeypadLocked(ServiceError):
    status = 429
    slug = "keypad-locked"
    title = "Too many codes were not accepted; the keypad is paused"


def _site_id(site: Site | int) -> int:
    return site if isinstance(site, int) else site.id


def _locked_state(session: Session, site_id: int) -> KeypadState:
    """The site's keypad row, made on first use and locked until the transaction ends."""
    bind = session.get_bind()
    dialect_insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    session.execute(dialect_insert(KeypadState).values(site_id=site_id, streak_after_id=0, window_after_id=0)
                    .on_conflict_do_nothing())
    state = session.scalar(
        select(KeypadState).where(KeypadState.site_id == site_id).with_for_update().execution_options(
            populate_existing=True)
    )
    assert state is not None
    return state


def _failures(session: Session, now: datetime, site_id: int, after_id: int) -> int:
    """Failures in the last WINDOW with an id above after_id."""
    return session.scalar(
        select(func.count()).select_from(KeypadFailure).where(
            KeypadFailure.site_id == site_id, KeypadFailure.at > now - WINDOW, KeypadFailure.id > after_id)
    ) or 0


def _last_failure_id(session: Session, site_id: int) -> int:
    return session.scalar(select(func.max(KeypadFailure.id)).where(KeypadFailure.site_id == site_id)) or 0


def _retry_after(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def check(session: Session, now: datetime, site: Site | int) -> None:
    """Lock the site's keypad row for this attempt; raise KeypadLocked while the keypad is paused."""
    state = _locked_state(session, _site_id(site))
    if state.locked_at is not None:
        raise KeypadLocked("the keypad is locked until an administrator unlocks it",
                           headers={"Retry-After": str(LOCKED_RETRY_AFTER)}, retry_after=LOCKED_RETRY_AFTER,
                           admin_unlock_required=True)
    if state.blocked_until is not None and state.blocked_until > now:
        seconds = _retry_after(state.blocked_until, now)
        raise KeypadLocked(f"try again in {seconds} seconds", headers={"Retry-After": str(seconds)},
                           retry_after=seconds, admin_unlock_required=False)


def record_failure(session: Session, now: datetime, site: Site | int) -> None:
    site_id = _site_id(site)
    state = _locked_state(session, site_id)
    session.add(KeypadFailure(site_id=site_id, at=now))
    session.flush()
    in_window = _failures(session, now, site_id, state.window_after_id)
    if in_window >= LOCK_AFTER:
        if state.locked_at is None:
            state.locked_at = now
            # The admin alert: the admin view lists keypad.locked events.
            events.record(session, now, "system", "keypad.locked", site_id=site_id, failures=in_window)
        return
    streak = _failures(session, now, site_id, state.streak_after_id)
    if streak >= FREE_FAILURES:
        doublings = min(streak - FREE_FAILURES, _MAX_DOUBLINGS)
        state.blocked_until = now + FIRST_BACKOFF * 2**doublings


def record_success(session: Session, now: datetime, site: Site | int) -> None:
    """A good code ends the back-off streak; the 24-hour count stays."""
    site_id = _site_id(site)
    state = _locked_state(session, site_id)
    state.streak_after_id = _last_failure_id(session, site_id)
    state.blocked_until = None


def unlock(session: Session, now: datetime, site: Site | int, actor: str) -> bool:
    """An admin lifts a lock or back-off; failures before now stop counting. False if nothing was paused."""
    site_id = _site_id(site)
    state = _locked_state(session, site_id)
    was_paused = state.locked_at is not None or (state.blocked_until is not None and state.blocked_until > now)
    state.locked_at = None
    state.blocked_until = None
    state.streak_after_id = state.window_after_id = _last_failure_id(session, site_id)
    events.record(session, now, actor, "keypad.unlocked", site_id=site_id, was_paused=was_paused)
    return was_paused


def status(session: Session, now: datetime, site: Site | int) -> dict[str, Any]:
    """For the admin view; reads without locking."""
    site_id = _site_id(site)
    state = session.get(KeypadState, site_id)
    failures = _failures(session, now, site_id, state.window_after_id if state else 0)
    blocked = state is not None and state.blocked_until is not None and state.blocked_until > now
    return {
        "locked": state is not None and state.locked_at is not None,
        "locked_at": state.locked_at if state else None,
        "blocked_until": state.blocked_until if blocked and state else None,
        "failures_24h": failures,
    }
