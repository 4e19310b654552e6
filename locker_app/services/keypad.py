"""The keypad's failure budget per site, kept in the database so that every worker shares it.

Failures are counted in sliding windows and nothing but an admin's unlock forgives them: a good code
does not (an attacker with parcels of his own could otherwise wipe his streak with them, "4 wrong, 1 own,
repeat", and reach the lock in half a minute). After FREE_FAILURES failures within BACKOFF_WINDOW, each
further failure pauses the keypad for 60 s, doubling: at most 15 failures fit in any 24 hours, so a
guesser can no longer lock the keypad in a day. LOCK_AFTER failures within LOCK_WINDOW (a patient guesser
after about three days) lock it until an admin unlocks it. The third pause within BACKOFF_WINDOW writes an
event `keypad.pausing` (the alert before the lock), the lock `keypad.locked`. kiosk/README.md has the
arithmetic. Issuing codes touches none of this. Every attempt holds the site's keypad row locked
(FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two workers can never both spend the last free try.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import KeypadFailure, KeypadState, Site
from . import events
from .errors import ServiceError

FREE_FAILURES = 5
FIRST_BACKOFF = timedelta(seconds=60)
BACKOFF_WINDOW = timedelta(hours=24)
# The pause that writes the keypad.pausing alert: the third within BACKOFF_WINDOW.
ALERT_AT_PAUSE = 3
LOCK_AFTER = 40
LOCK_WINDOW = timedelta(days=7)
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


def _failures(session: Session, now: datetime, site_id: int, after_id: int, window: timedelta) -> int:
    """Failures in the last `window` with an id above after_id."""
    return session.scalar(
        select(func.count()).select_from(KeypadFailure).where(
            KeypadFailure.site_id == site_id, KeypadFailure.at > now - window, KeypadFailure.id > after_id)
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
    in_week = _failures(session, now, site_id, state.window_after_id, LOCK_WINDOW)
    if in_week >= LOCK_AFTER:
        if state.locked_at is None:
            state.locked_at = now
            # The admin alert: the admin view lists keypad.locked events.
            events.record(session, now, "system", "keypad.locked", site_id=site_id, failures=in_week)
        return
    in_day = _failures(session, now, site_id, state.streak_after_id, BACKOFF_WINDOW)
    if in_day >= FREE_FAILURES:
        doublings = min(in_day - FREE_FAILURES, _MAX_DOUBLINGS)
        state.blocked_until = now + FIRST_BACKOFF * 2**doublings
        if doublings + 1 == ALERT_AT_PAUSE:
            # Once per crossing: the count must fall below it (24 h of calm, or an unlock) to alert again.
            events.record(session, now, "system", "keypad.pausing", site_id=site_id, failures=in_day,
                          pause_seconds=int((state.blocked_until - now).total_seconds()))


def record_success(session: Session, now: datetime, site: Site | int) -> None:
    """A good code forgives nothing: the windows slide on their own, and only an admin's unlock resets them.

    Kept so that the kiosk's pickup says what happened at each attempt, and a future rule has a place."""


def purge_failures(session: Session, now: datetime) -> int:
    """Delete failures too old for any window (LOCK_WINDOW is the longer), so the table stops growing.

    The newest row of the table stays whatever its age: SQLite hands out max(id) + 1, so deleting it would
    let a new failure take an id at or below a site's *_after_id mark and go uncounted."""
    newest = session.scalar(select(func.max(KeypadFailure.id))) or 0
    result = session.execute(
        delete(KeypadFailure).where(KeypadFailure.at <= now - LOCK_WINDOW, KeypadFailure.id < newest)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


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
    failures = _failures(session, now, site_id, state.streak_after_id if state else 0, BACKOFF_WINDOW)
    week = _failures(session, now, site_id, state.window_after_id if state else 0, LOCK_WINDOW)
    blocked = state is not None and state.blocked_until is not None and state.blocked_until > now
    return {
        "locked": state is not None and state.locked_at is not None,
        "locked_at": state.locked_at if state else None,
        "blocked_until": state.blocked_until if blocked and state else None,
        "failures_24h": failures,
        "failures_7d": week,
        "lock_after": LOCK_AFTER,
    }
