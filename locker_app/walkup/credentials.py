"""Courier PINs for the kiosk: issued and reset by the operator, checked at sign-in against a shared budget.

Budget, per phone number on every kiosk (kept in pin_guards, locked FOR UPDATE / BEGIN IMMEDIATE):
5 wrong PINs in a row lock sign-in for 15 minutes, the next lockout of the day for 30, then 60 ...;
20 wrong PINs within a day lock the PIN until an operator resets it. A kiosk also pauses sign-ins after
KIOSK_FAILURES refusals in KIOSK_WINDOW, whatever numbers were typed. Unknown numbers, wrong PINs and
deactivated couriers get the same 403 and spend the same budget, and take the same time (a scrypt check
against a dummy hash), so the kiosk never tells whether a number belongs to a courier.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Courier, Kiosk
from ..services import events
from ..services.errors import InvalidInput, NotFound
from ..services.phones import mask_phone, normalize_phone
from .errors import CourierLocked, CourierRejected, SignInPaused
from .models import KioskCredential, KioskSignInFailure, PinGuard

PIN_DIGITS = 6
STREAK_LIMIT = 5
FIRST_LOCKOUT = timedelta(minutes=15)
DAY = timedelta(hours=24)
DAY_LIMIT = 20
KIOSK_FAILURES = 10
KIOSK_WINDOW = timedelta(minutes=10)
# What the kiosk is told to wait while a PIN is locked until reset (it asks again, nothing more).
PIN_LOCKED_RETRY_AFTER = 3600
_MAX_DOUBLINGS = 10


def new_pin() -> str:
    return f"{secrets.randbelow(10 ** PIN_DIGITS):0{PIN_DIGITS}d}"


def hash_pin(pin: str) -> str:
    # Werkzeug's scrypt (memory-hard), as for admin passwords: docs/adr/0001-kiosk-pin-hash.md says why.
    return generate_password_hash(pin, method="scrypt")


@cache
def _dummy_hash() -> str:
    return hash_pin("not-a-pin")


def courier_phone(raw: object, country: str = "KR") -> str:
    try:
        return normalize_phone(raw, country)
    except InvalidInput as exc:
        raise InvalidInput("phone must be a mobile phone number", field="phone") from exc


def phone_digest(e164: str) -> str:
    return hashlib.sha256(f"kiosk-sign-in:{e164}".encode()).hexdigest()


def set_pin(session: Session, now: datetime, courier: Courier, phone: object, actor: str) -> str:
    """Give the courier a kiosk credential (or a new PIN on his existing one); the PIN is clear only here."""
    e164 = courier_phone(phone)
    taken = session.scalar(select(KioskCredential).where(KioskCredential.phone == e164))
    if taken is not None and taken.courier_id != courier.id:
        raise InvalidInput("another courier signs in with this phone number", field="phone")
    pin = new_pin()
    credential = session.get(KioskCredential, courier.id)
    if credential is None:
        credential = KioskCredential(courier_id=courier.id, phone=e164, pin_hash=hash_pin(pin), pin_set_at=now)
        session.add(credential)
    else:
        credential.phone, credential.pin_hash, credential.pin_set_at = e164, hash_pin(pin), now
    session.flush()
    _clear_guard(session, e164)
    events.record(session, now, actor, "courier.pin_set", courier_id=courier.id)
    return pin


def _clear_guard(session: Session, e164: str) -> None:
    guard = session.get(PinGuard, phone_digest(e164))
    if guard is not None:
        session.delete(guard)
        session.flush()


def credential_by_phone(session: Session, phone: object) -> KioskCredential:
    found = session.scalar(select(KioskCredential).where(KioskCredential.phone == courier_phone(phone)))
    if found is None:
        raise NotFound("no courier signs in with this phone number")
    return found


def reset_pin(session: Session, now: datetime, courier_id: int, actor: str) -> str:
    credential = session.get(KioskCredential, courier_id)
    if credential is None:
        raise NotFound("this courier has no kiosk sign-in; give one with create-courier --phone")
    return set_pin(session, now, credential.courier, credential.phone, actor)


def deactivate(session: Session, now: datetime, courier_id: int, actor: str) -> Courier:
    """The courier can no longer sign in anywhere (API token and kiosk); his open sessions end."""
    from .sessions import end_all  # sessions imports this module

    courier = session.get(Courier, courier_id)
    if courier is None:
        raise NotFound("there is no such courier")
    courier.active = False
    end_all(session, now, courier.id)
    events.record(session, now, actor, "courier.deactivated", courier_id=courier.id)
    return courier


def credential_view(credential: KioskCredential | None) -> dict[str, object]:
    if credential is None:
        return {"kiosk_sign_in": False}
    return {"kiosk_sign_in": True, "phone": mask_phone(credential.phone),
            "pin_set_at": credential.pin_set_at.isoformat().replace("+00:00", "Z")}


def _locked_guard(session: Session, digest: str) -> PinGuard:
    bind = session.get_bind()
    dialect_insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    session.execute(dialect_insert(PinGuard).values(phone_digest=digest, streak=0, lockouts=0, day_failures=0)
                    .on_conflict_do_nothing())
    guard = session.scalar(select(PinGuard).where(PinGuard.phone_digest == digest).with_for_update()
                           .execution_options(populate_existing=True))
    assert guard is not None
    return guard


def _seconds(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def _check_kiosk(session: Session, now: datetime, kiosk: Kiosk) -> None:
    # The kiosk's row is the lock its sign-ins take turns on, so two workers count the same refusals.
    session.scalar(select(Kiosk.id).where(Kiosk.id == kiosk.id).with_for_update())
    since = now - KIOSK_WINDOW
    times = list(session.scalars(select(KioskSignInFailure.at).where(
        KioskSignInFailure.kiosk_id == kiosk.id, KioskSignInFailure.at > since)
        .order_by(KioskSignInFailure.at.desc()).limit(KIOSK_FAILURES)))
    if len(times) >= KIOSK_FAILURES:
        seconds = _seconds(times[-1] + KIOSK_WINDOW, now)
        raise SignInPaused(f"try again in {seconds} seconds", headers={"Retry-After": str(seconds)},
                           retry_after=seconds)


def _check_guard(guard: PinGuard, now: datetime) -> None:
    if guard.pin_locked_at is not None:
        raise CourierLocked("this sign-in is locked until the operator gives a new PIN",
                            headers={"Retry-After": str(PIN_LOCKED_RETRY_AFTER)},
                            retry_after=PIN_LOCKED_RETRY_AFTER)
    if guard.locked_until is not None and guard.locked_until > now:
        seconds = _seconds(guard.locked_until, now)
        raise CourierLocked(f"try again in {seconds} seconds", headers={"Retry-After": str(seconds)},
                            retry_after=seconds)


def _spend(guard: PinGuard, now: datetime) -> None:
    """One wrong PIN on this number's budget."""
    if guard.day_started_at is None or now - guard.day_started_at >= DAY:
        guard.day_started_at, guard.day_failures, guard.lockouts = now, 0, 0
    guard.day_failures += 1
    guard.streak += 1
    if guard.day_failures >= DAY_LIMIT:
        guard.pin_locked_at = now
    elif guard.streak >= STREAK_LIMIT:
        guard.locked_until = now + FIRST_LOCKOUT * 2 ** min(guard.lockouts, _MAX_DOUBLINGS)
        guard.lockouts += 1
        guard.streak = 0


class Refused(Exception):
    """The attempt was refused and its cost recorded; the caller commits, then raises `error`."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def check_sign_in(session: Session, now: datetime, kiosk: Kiosk, phone: object, pin: object) -> Courier:
    """The courier whose phone and PIN these are, or Refused (commit it: the budget must stay spent).
    Raises InvalidInput for a malformed phone number and CourierLocked / SignInPaused outright."""
    e164 = courier_phone(phone, kiosk.site.country)
    _check_kiosk(session, now, kiosk)
    guard = _locked_guard(session, phone_digest(e164))
    _check_guard(guard, now)
    credential = session.scalar(select(KioskCredential).where(KioskCredential.phone == e164))
    given = pin if isinstance(pin, str) and len(pin) == PIN_DIGITS and pin.isascii() and pin.isdigit() else "x"
    # Always one scrypt check, so an unknown number costs the same time as a known one.
    matches = check_password_hash(credential.pin_hash if credential else _dummy_hash(), given)
    actor = f"kiosk:{kiosk.id}"
    if matches and credential is not None and credential.courier.active:
        guard.streak = 0
        events.record(session, now, actor, "courier.signed_in", site_id=kiosk.site_id,
                      courier_id=credential.courier_id)
        return credential.courier
    _spend(guard, now)
    session.add(KioskSignInFailure(kiosk_id=kiosk.id, at=now))
    locked = guard.pin_locked_at is not None or (guard.locked_until is not None and guard.locked_until > now)
    events.record(session, now, actor, "courier.sign_in_refused", site_id=kiosk.site_id,
                  courier_id=credential.courier_id if credential else None, locked=locked)
    return _refused()


def _refused() -> Courier:
    raise Refused(CourierRejected("check the phone number and the PIN"))


def failures_in_window(session: Session, now: datetime, kiosk_id: int) -> int:
    return session.scalar(select(func.count()).select_from(KioskSignInFailure).where(
        KioskSignInFailure.kiosk_id == kiosk_id, KioskSignInFailure.at > now - KIOSK_WINDOW)) or 0
