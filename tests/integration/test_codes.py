"""Pickup codes: unique among a site's active codes, one-time, and tied to their site."""

from __future__ import annotations

import locker_app.services.issue_codes as issue_codes
from locker_app.jobs import relay_job
from tests.conftest import code_from


def _deliver(api, app, sms, site="MAPO-001"):
    parcel = api.reserve(site=site).get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200
    with app.app_context():
        relay_job()
    return parcel, code_from(sms.sent[-1]["body"])


def test_a_code_already_active_at_the_site_is_drawn_again(app, api, sms, monkeypatch):
    draws = iter(["11111111", "11111111", "22222222"])
    monkeypatch.setattr(issue_codes, "new_code", lambda: next(draws))
    first, first_code = _deliver(api, app, sms)
    second, second_code = _deliver(api, app, sms)
    assert (first_code, second_code) == ("11111111", "22222222")
    assert api.pickup("22222222").get_json()["compartments"] == [second["compartment"]]
    assert api.pickup("11111111").get_json()["compartments"] == [first["compartment"]]


def test_the_same_digits_may_be_active_at_two_sites(app, api, sms, monkeypatch, world):
    monkeypatch.setattr(issue_codes, "new_code", lambda: "33333333")
    here, _ = _deliver(api, app, sms, "MAPO-001")
    there, _ = _deliver(api, app, sms, "MAPO-002")
    # Each kiosk opens only its own site's door.
    assert api.pickup("33333333", token=world.other_kiosk_token).get_json()["compartments"] == [there["compartment"]]
    assert api.pickup("33333333").get_json()["compartments"] == [here["compartment"]]


def test_a_code_does_not_open_another_sites_locker(app, api, sms, world):
    _, code = _deliver(api, app, sms, "MAPO-001")
    assert api.pickup(code, token=world.other_kiosk_token).status_code == 403
    assert api.pickup(code).status_code == 200


def test_a_code_of_a_reserved_but_not_deposited_parcel_does_not_exist(app, api, sms):
    api.reserve()
    assert sms.sent == []
    assert api.pickup("00000000").status_code == 403
