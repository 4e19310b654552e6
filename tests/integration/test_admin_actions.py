"""Operator actions that reach the kiosk and the resident: remote open, keypad unlock, resend, policy."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import relay_job
from tests.admin_support import Admins, assert_no_full_number, bearer, create_admins, signed_in
from tests.conftest import code_from


@pytest.fixture
def admins(app, world) -> Admins:
    return create_admins(app)


def _kiosk(api, path, method="GET", **kwargs):
    return api.client.open(path, method=method, headers={"Authorization": f"Bearer {api.world.kiosk_token}"},
                           **kwargs)


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.text("SELECT action FROM events ORDER BY id")))


def test_a_remote_open_reaches_the_kiosk_and_is_on_the_record(app, api, admins, client):
    refused = client.post("/admin/api/sites/MAPO-001/compartments/A03/open", json={},
                          headers=bearer(admins.operator_token))
    assert refused.status_code == 400 and refused.get_json()["type"] == "invalid-input"
    assert _kiosk(api, "/kiosk/v1/commands").get_json()["commands"] == []

    viewer = client.post("/admin/api/sites/MAPO-001/compartments/A03/open", json={"reason": "stuck parcel"},
                         headers=bearer(admins.viewer_token))
    assert viewer.status_code == 403

    queued = client.post("/admin/api/sites/MAPO-001/compartments/A03/open", json={"reason": "stuck parcel"},
                         headers=bearer(admins.operator_token))
    assert queued.status_code == 202, queued.get_json()
    commands = _kiosk(api, "/kiosk/v1/commands").get_json()["commands"]
    assert [(c["compartment"], c["kind"]) for c in commands] == [("A03", "open")]
    assert "door.remote_open_requested" in _actions(app)
    # Another site's kiosk does not see it.
    other = api.client.get("/kiosk/v1/commands", headers={"Authorization": f"Bearer {api.world.other_kiosk_token}"})
    assert other.get_json()["commands"] == []


def test_remote_open_from_the_site_page(app, api, admins):
    browser = signed_in(app)
    page = "/admin/sites/MAPO-001"
    assert "Open" in browser.text(page)
    response = browser.post_form("/admin/sites/MAPO-001/compartments/A05/open", {"reason": "resident locked out"},
                                 page)
    assert response.status_code == 302
    assert [c["compartment"] for c in _kiosk(api, "/kiosk/v1/commands").get_json()["commands"]] == ["A05"]


def test_an_operator_unlocks_a_locked_keypad(app, api, admins, client, clock):
    for _ in range(5):
        assert api.pickup("00000000").status_code == 403
    paused = api.pickup("00000000")
    assert paused.status_code == 429 and paused.get_json()["type"] == "keypad-locked"
    status = client.get("/admin/api/sites/MAPO-001/keypad", headers=bearer(admins.viewer_token)).get_json()
    assert status["blocked_until"] is not None
    occupancy = client.get("/admin/api/occupancy?site=MAPO-001", headers=bearer(admins.viewer_token)).get_json()
    assert occupancy["sites"][0]["keypad_paused"] is True

    browser = signed_in(app)
    assert 'data-keypad="paused"' in browser.text("/admin/sites/MAPO-001")
    assert browser.post_form("/admin/sites/MAPO-001/keypad/unlock", {}, "/admin/sites/MAPO-001").status_code == 302
    assert api.pickup("00000000").status_code == 403  # taking codes again (and counting them again)
    assert "keypad.unlocked" in _actions(app)


def test_resend_from_the_parcel_page_voids_the_old_code(app, api, sms, admins):
    parcel = api.reserve().get_json()
    api.deposit(parcel["parcel_id"])
    with app.app_context():
        relay_job()
    old = code_from(sms.sent[-1]["body"])
    browser = signed_in(app)
    page = f"/admin/parcels/{parcel['parcel_id']}"
    assert "Send a new code by SMS" in browser.text(page)
    assert browser.post_form(f"/admin/parcels/{parcel['parcel_id']}/resend", {}, page).status_code == 302
    with app.app_context():
        relay_job()
    new = code_from(sms.sent[-1]["body"])
    assert new != old
    assert api.pickup(old).status_code == 403
    assert api.pickup(new).get_json()["compartments"] == [parcel["compartment"]]
    assert "parcel.code_resent" in _actions(app)


def test_resend_by_api_counts_down_and_stops(app, api, sms, admins, client):
    parcel = api.reserve().get_json()
    api.deposit(parcel["parcel_id"])
    answers = [client.post(f"/admin/api/parcels/{parcel['parcel_id']}/resend", headers=bearer(admins.operator_token))
               for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.get_json().get("resends_left") for a in answers[:3]] == [2, 1, 0]
    assert_no_full_number(answers[0].get_data(as_text=True))


def test_policy_through_the_admin_api(app, admins, client):
    got = client.get("/admin/api/sites/MAPO-001/policy", headers=bearer(admins.viewer_token)).get_json()
    assert got["free_hours"] == 48 and got["fee_per_day"] == 1000
    changed = client.post("/admin/api/sites/MAPO-001/policy", json={"free_hours": 72, "fee_per_day": 500},
                          headers=bearer(admins.operator_token))
    assert changed.status_code == 200 and changed.get_json()["free_hours"] == 72
    bad = client.post("/admin/api/sites/MAPO-001/policy", json={"free_hours": -1, "fee_per_day": 0},
                      headers=bearer(admins.operator_token))
    assert bad.status_code == 400
    assert client.get("/admin/api/sites/MAPO-001/policy", headers=bearer(admins.viewer_token)).get_json()[
        "fee_per_day"] == 500
    assert client.post("/admin/api/sites/MAPO-001/policy", json={"free_hours": 24},
                       headers=bearer(admins.viewer_token)).status_code == 403
    assert "site.policy_updated" in _actions(app)


def test_policy_from_the_site_page(app, admins):
    browser = signed_in(app)
    page = "/admin/sites/MAPO-001"
    assert browser.post_form("/admin/sites/MAPO-001/policy", {"expiry_days": "5", "free_hours": "48"},
                             page).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT expiry_days FROM sites WHERE code = 'MAPO-001'")) == 5


@pytest.mark.parametrize("action", ["disable", "enable", "open"])
def test_a_door_label_with_cr_lf_names_no_compartment(app, admins, action):
    """The label went into the redirect's Location header, which werkzeug refuses to send: a 500."""
    browser = signed_in(app)
    response = browser.post_form(f"/admin/sites/MAPO-001/compartments/A01%0D%0ASet-Cookie:%20x=1/{action}",
                                 {"reason": "glass cracked"}, "/admin/sites/MAPO-001")
    assert response.status_code == 404
    assert "Set-Cookie: x" not in str(response.headers)


@pytest.mark.parametrize(("reason", "said"), [
    ("ab\x07d", "printable"),          # 4 characters, one a control character: told "at most 200" before
    ("line\nbreak", "printable"),
    ("tab\there", "printable"),
    ("x" * 201, "200"),
])
@pytest.mark.parametrize("action", ["disable", "open"])
def test_the_reason_check_says_what_was_wrong(app, admins, reason, said, action):
    response = app.test_client().post(f"/admin/api/sites/MAPO-001/compartments/A01/{action}",
                                      json={"reason": reason}, headers=bearer(admins.operator_token))
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["field"] == "reason" and said in problem["detail"], problem
