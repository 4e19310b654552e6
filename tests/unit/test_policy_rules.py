"""The storage policy's rules over plain values: fee days, reminders, expiry, amounts in SMS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from locker_app.services.policy import (
    expired,
    fee_days,
    fee_due,
    format_amount,
    free_end_reminder_due,
    reminder_due,
)

SEOUL = "Asia/Seoul"
# 14:05 in Seoul; 48 h free ends at 14:05 two days later.
DEPOSIT = datetime(2026, 11, 24, 5, 5, tzinfo=UTC)
FREE_UNTIL = DEPOSIT + timedelta(hours=48)


def after(**delta: float) -> datetime:
    return DEPOSIT + timedelta(**delta)


@pytest.mark.parametrize(
    ("elapsed", "fee"),
    [
        (timedelta(hours=47, minutes=59), 0),
        (timedelta(hours=48), 0),  # "free until 14:05" includes 14:05 itself
        (timedelta(hours=48, seconds=1), 1000),
        (timedelta(hours=48, minutes=1), 1000),
        (timedelta(hours=72), 1000),
        (timedelta(hours=72, minutes=1), 2000),
        (timedelta(days=7), 5000),
    ],
)
def test_fee_per_started_day_after_48_free_hours(elapsed: timedelta, fee: int) -> None:
    assert fee_due(FREE_UNTIL, DEPOSIT + elapsed, 1000, SEOUL) == fee


def test_a_day_starts_at_the_deposits_time_of_day_in_seoul_not_at_midnight() -> None:
    # Deposited 23:30 on 24 Nov in Seoul (14:30 UTC); free until 23:30 on 26 Nov.
    deposit = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
    free_until = deposit + timedelta(hours=48)
    kst = lambda day, h, m, s=0: datetime(2026, 11, day, h, m, s, tzinfo=UTC) - timedelta(hours=9)  # noqa: E731
    assert fee_days(free_until, kst(26, 23, 29), SEOUL) == 0
    assert fee_days(free_until, kst(26, 23, 31), SEOUL) == 1
    # Local midnight passes (27 Nov 00:10 in Seoul): still the first started day, not a second one.
    assert fee_days(free_until, kst(27, 0, 10), SEOUL) == 1
    # UTC midnight passes (27 Nov 09:10 in Seoul): nothing changes either.
    assert fee_days(free_until, kst(27, 9, 10), SEOUL) == 1
    assert fee_days(free_until, kst(27, 23, 30), SEOUL) == 1
    assert fee_days(free_until, kst(27, 23, 30, 1), SEOUL) == 2


def test_days_are_wall_clock_days_where_the_clock_changes() -> None:
    # New York leaves daylight saving on 1 Nov 2026: that calendar day lasts 25 hours.
    free_until = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 12:00 EDT
    assert fee_days(free_until, free_until + timedelta(hours=24, minutes=30), "America/New_York") == 1
    assert fee_days(free_until, free_until + timedelta(hours=25, minutes=1), "America/New_York") == 2


def test_no_fee_when_the_site_charges_nothing() -> None:
    assert fee_due(FREE_UNTIL, after(days=6), 0, SEOUL) == 0


def test_first_reminder_24_hours_after_the_deposit() -> None:
    assert not reminder_due(DEPOSIT, after(hours=23, minutes=59), 24)
    assert reminder_due(DEPOSIT, after(hours=24), 24)
    assert not reminder_due(DEPOSIT, after(days=30), 0)  # 0 turns it off


def test_second_reminder_6_hours_before_the_free_period_ends_and_only_before_it_ends() -> None:
    assert not free_end_reminder_due(FREE_UNTIL, after(hours=41, minutes=59), 6)
    assert free_end_reminder_due(FREE_UNTIL, after(hours=42), 6)
    assert free_end_reminder_due(FREE_UNTIL, after(hours=47, minutes=59), 6)
    assert not free_end_reminder_due(FREE_UNTIL, after(hours=48), 6)
    assert not free_end_reminder_due(FREE_UNTIL, after(hours=45), 0)


def test_the_code_stops_at_the_deadline_itself() -> None:
    deadline = after(days=7)
    assert not expired(deadline, deadline - timedelta(seconds=1))
    assert expired(deadline, deadline)


@pytest.mark.parametrize(
    ("amount", "currency", "language", "text"),
    [
        (0, "KRW", "ko", "없음"),
        (0, "KRW", "en", "none"),
        (3000, "KRW", "ko", "3,000원"),
        (3000, "KRW", "en", "KRW 3,000"),
        (12, "EUR", "en", "EUR 12"),
    ],
)
def test_amounts_in_sms(amount: int, currency: str, language: str, text: str) -> None:
    assert format_amount(amount, currency, language) == text
