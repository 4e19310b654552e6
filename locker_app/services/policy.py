"""A site's storage policy: the free period, fees, reminders and expiry, and changing them.

How fees are counted (what a resident pays at the kiosk):
- The free period is the first `free_hours` after the deposit; it ends at the parcel's `free_until`,
  fixed at the deposit, and is inclusive: at exactly `free_until` nothing is owed yet.
- After it, every started day costs `fee_per_day`. Days are counted from the deposit's time of day on
  the site's wall clock, not from midnight: a parcel deposited at 23:30 in Seoul with 48 h free owes
  1 day's fee from 23:30:01 two days later until 23:30 the day after, whatever the date says. In a zone
  with daylight saving a "day" is a calendar day on the wall clock (23 or 25 hours); Seoul has none.
- A parcel is picked up within `expiry_days` of the deposit or not at all (it expires and goes back to
  the carrier), so the fee never exceeds the days between the end of the free period and expiry.

The rules below are pure functions over plain values. A parcel keeps `free_until` and
`pickup_deadline` from its deposit, so new `free_hours` and `expiry_days` apply to parcels deposited
after the change; `fee_per_day`, `currency` and the reminder hours are read when they are used, so they
apply at once. Setting a reminder's hours to 0 turns that reminder off.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ..models import Site
from . import events
from .errors import InvalidInput

DAY = timedelta(days=1)


def fee_days(free_until: datetime, now: datetime, tz: str) -> int:
    """Started days after the free period, on the site's wall clock."""
    zone = ZoneInfo(tz)
    # Naive wall-clock times: a difference of one calendar day is one day even across a DST change.
    end = free_until.astimezone(zone).replace(tzinfo=None)
    at = now.astimezone(zone).replace(tzinfo=None)
    if at <= end:
        return 0
    return math.ceil((at - end) / DAY)


def fee_due(free_until: datetime, now: datetime, fee_per_day: int, tz: str) -> int:
    return fee_days(free_until, now, tz) * fee_per_day


def reminder_due(deposited_at: datetime, now: datetime, after_hours: int) -> bool:
    """The first reminder: `after_hours` after the deposit (0: never)."""
    return after_hours > 0 and now >= deposited_at + timedelta(hours=after_hours)


def free_end_reminder_due(free_until: datetime, now: datetime, before_hours: int) -> bool:
    """The second reminder: `before_hours` before the free period ends, and only while it has not (0: never)."""
    return before_hours > 0 and free_until - timedelta(hours=before_hours) <= now < free_until


def expired(pickup_deadline: datetime, now: datetime) -> bool:
    """The resident's code stops working at the deadline itself."""
    return now >= pickup_deadline


_SYMBOLS = {"KRW": ("{:,}원", "KRW {:,}"), "JPY": ("{:,}엔", "JPY {:,}")}
NO_FEE = {"ko": "없음", "en": "none"}


def format_amount(amount: int, currency: str, language: str) -> str:
    """`1,000원` or `KRW 1,000`; amounts are whole units of the currency (KRW has no minor unit)."""
    if amount <= 0:
        return NO_FEE.get(language, NO_FEE["en"])
    ko, en = _SYMBOLS.get(currency, (f"{{:,}} {currency}", f"{currency} {{:,}}"))
    return (ko if language == "ko" else en).format(amount)


# --- changing a site's policy ---------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    low: int
    high: int
    unit: str


LIMITS: dict[str, Limit] = {
    "reservation_hold_minutes": Limit(1, 24 * 60, "minutes"),
    "free_hours": Limit(0, 90 * 24, "hours"),
    "fee_per_day": Limit(0, 1_000_000, "units of the currency"),
    "reminder_after_hours": Limit(0, 90 * 24, "hours (0: no reminder)"),
    "reminder_before_free_end_hours": Limit(0, 7 * 24, "hours (0: no reminder)"),
    "expiry_days": Limit(1, 90, "days"),
}
POLICY_FIELDS = (*LIMITS, "currency")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def policy_view(site: Site) -> dict[str, Any]:
    return {"site": site.code, **{name: getattr(site, name) for name in POLICY_FIELDS}}


def _checked(name: str, value: object) -> object:
    if name == "currency":
        if not isinstance(value, str) or not _CURRENCY.match(value.strip().upper()):
            raise InvalidInput("currency must be a three-letter ISO 4217 code such as KRW", field=name)
        return value.strip().upper()
    limit = LIMITS[name]
    # bool is an int in Python; `true` is not a number of hours.
    if isinstance(value, bool) or not isinstance(value, int) or not limit.low <= value <= limit.high:
        raise InvalidInput(f"{name} must be a whole number from {limit.low} to {limit.high} ({limit.unit})",
                           field=name)
    return value


def update_policy(session: Session, now: datetime, site: Site, actor: str, **fields: object) -> dict[str, Any]:
    """Change some of a site's policy fields (None means unchanged) and record who did it.

    Everything is checked before anything changes. Returns the whole policy afterwards.
    """
    unknown = sorted(set(fields) - set(POLICY_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown policy fields: {', '.join(unknown)}; known: {', '.join(POLICY_FIELDS)}")
    wanted = {name: _checked(name, value) for name, value in fields.items() if value is not None}
    merged = {**{name: getattr(site, name) for name in POLICY_FIELDS}, **wanted}
    if merged["reminder_before_free_end_hours"] > merged["free_hours"]:
        raise InvalidInput("reminder_before_free_end_hours cannot be longer than free_hours",
                           field="reminder_before_free_end_hours")
    changes = {name: [getattr(site, name), value] for name, value in wanted.items() if getattr(site, name) != value}
    for name, (_, value) in changes.items():
        setattr(site, name, value)
    if changes:
        events.record(session, now, actor, "site.policy_updated", site_id=site.id, changes=changes)
    return policy_view(site)
