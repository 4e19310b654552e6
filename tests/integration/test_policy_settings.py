"""Changing a site's storage policy: through the service (the admin API calls it) and `locker set-policy`."""

from __future__ import annotations

import pytest

from locker_app.extensions import db
from locker_app.services.errors import InvalidInput
from locker_app.services.parcels import find_site
from locker_app.services.policy import update_policy
from tests.integration.storage_helpers import rows, run_jobs, store_parcel

DEFAULTS = {"site": "MAPO-001", "reservation_hold_minutes": 15, "free_hours": 48, "fee_per_day": 1000,
            "reminder_after_hours": 24, "reminder_before_free_end_hours": 6, "expiry_days": 7, "currency": "KRW"}


def test_defaults_follow_seouls_public_lockers(app, world, clock):
    with app.app_context():
        policy = update_policy(db.session(), clock(), find_site(db.session(), "MAPO-001"), "admin:1")
        db.session.commit()
    assert policy == DEFAULTS
    assert rows(app, "SELECT * FROM events WHERE action = 'site.policy_updated'") == []


def test_update_changes_only_what_is_given_and_records_who(app, world, clock):
    with app.app_context():
        site = find_site(db.session(), "MAPO-001")
        policy = update_policy(db.session(), clock(), site, "admin:7", free_hours=24, fee_per_day=500,
                               currency="usd", expiry_days=None)
        db.session.commit()
    assert policy == {**DEFAULTS, "free_hours": 24, "fee_per_day": 500, "currency": "USD"}
    event = rows(app, "SELECT actor, detail FROM events WHERE action = 'site.policy_updated'")
    assert len(event) == 1 and event[0].actor == "admin:7"
    assert "free_hours" in str(event[0].detail) and "expiry_days" not in str(event[0].detail)


@pytest.mark.parametrize(
    "fields",
    [
        {"free_hours": -1},
        {"free_hours": "48"},
        {"fee_per_day": True},
        {"fee_per_day": 2.5},
        {"expiry_days": 0},
        {"reservation_hold_minutes": 0},
        {"currency": "₩"},
        {"currency": "KR"},
        {"reminder_before_free_end_hours": 60},  # longer than the 48 free hours
        {"colour": "red"},
        {"free_hours": 72, "expiry_days": 500},  # one bad field: nothing changes
    ],
)
def test_bad_values_change_nothing(app, world, clock, fields):
    with app.app_context():
        site = find_site(db.session(), "MAPO-001")
        with pytest.raises(InvalidInput):
            update_policy(db.session(), clock(), site, "admin:1", **fields)
        db.session.rollback()
        assert update_policy(db.session(), clock(), find_site(db.session(), "MAPO-001"), "admin:1") == DEFAULTS


def test_set_policy_from_the_command_line_applies_to_the_next_deposit(app, api, sms, clock):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["locker", "set-policy", "MAPO-001", "--free-hours", "24", "--fee-per-day", "2000",
                                 "--expiry-days", "3", "--reminder-after-hours", "0", "--hold-minutes", "5"])
    assert result.exit_code == 0, result.output
    assert "free_hours: 24" in result.output and "fee_per_day: 2000" in result.output
    assert "expiry_days: 3" in result.output and "reservation_hold_minutes: 5" in result.output

    reserved = api.reserve().get_json()
    assert reserved["reserved_until"] == "2026-11-24T05:10:00Z"
    parcel_id, code = store_parcel(app, api, sms)
    clock.advance(hours=25)
    assert api.pickup(code).get_json()["amount"] == 2000
    clock.advance(days=2)
    assert run_jobs(app)["expire-parcels"] == 1
    assert api.get(parcel_id).get_json()["state"] == "expired"
    assert rows(app, "SELECT actor FROM events WHERE action = 'site.policy_updated'")[0].actor == "cli"


def test_set_policy_refuses_bad_input_with_a_message(app, world):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["locker", "set-policy", "MAPO-001", "--free-hours", "-5"])
    assert bad.exit_code != 0 and "free_hours must be a whole number" in bad.output
    missing = runner.invoke(args=["locker", "set-policy", "NOPE-1", "--free-hours", "5"])
    assert missing.exit_code != 0 and "no site" in missing.output
    shown = runner.invoke(args=["locker", "set-policy", "MAPO-001"])
    assert shown.exit_code == 0 and "free_hours: 48" in shown.output
