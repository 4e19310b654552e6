"""Kiosk PINs from the command line and the admin: shown once, stored hashed; deactivation; the alert."""

from __future__ import annotations

import sqlalchemy as sa

from locker_app.extensions import db
from tests.admin_support import bearer, create_admins, signed_in, tile_stat
from tests.walkup_support import COURIER_PHONE, Kiosk, give_pin


def test_create_courier_with_a_phone_prints_a_kiosk_pin_and_reset_gives_a_new_one(app, client, world):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["locker", "create-courier", "--carrier", "CJ", "--name", "Park",
                               "--phone", "010-4444-5555"])
    assert made.exit_code == 0, made.output
    lines = made.output.strip().splitlines()
    pin = next(line.split(": ")[1] for line in lines if line.startswith("kiosk-pin: "))
    token = lines[-1]
    assert len(pin) == 6 and pin.isdigit() and len(token) > 30
    with app.app_context():
        stored = db.session.execute(sa.text("SELECT pin_hash FROM kiosk_credentials")).scalar_one()
    assert pin not in stored and stored.startswith("scrypt:")

    kiosk = Kiosk(client, world.kiosk_token)
    signed = kiosk.sign_in("010-4444-5555", pin)
    assert signed.status_code == 201 and signed.get_json()["courier"] == {"name": "Park", "carrier": "CJ"}

    reset = runner.invoke(args=["locker", "reset-courier-pin", "010-4444-5555"])
    assert reset.exit_code == 0, reset.output
    new_pin = reset.output.strip().splitlines()[-1]
    assert kiosk.sign_in("010-4444-5555", pin).status_code == 403 or new_pin == pin
    assert kiosk.sign_in("010-4444-5555", new_pin).status_code == 201
    assert runner.invoke(args=["locker", "reset-courier-pin", "010-0000-1111"]).exit_code != 0


def test_an_operator_resets_a_pin_and_deactivates_a_courier_a_viewer_cannot(app, client, world):
    admins = create_admins(app)
    pin = give_pin(app)
    kiosk = Kiosk(client, world.kiosk_token)
    assert kiosk.sign_in(COURIER_PHONE, pin).status_code == 201
    listed = client.get("/admin/api/couriers", headers=bearer(admins.operator_token)).get_json()["couriers"]
    kim = next(c for c in listed if c["name"] == "Kim")
    assert kim["kiosk_sign_in"] is True and kim["phone"] == "+82 10-****-3333"

    refused = client.post(f"/admin/api/couriers/{kim['courier_id']}/reset-pin", headers=bearer(admins.viewer_token))
    assert refused.status_code == 403
    reset = client.post(f"/admin/api/couriers/{kim['courier_id']}/reset-pin", headers=bearer(admins.operator_token))
    assert reset.status_code == 200
    new_pin = reset.get_json()["kiosk_pin"]
    assert Kiosk(client, world.kiosk_token).sign_in(COURIER_PHONE, new_pin).status_code == 201

    gone = client.post(f"/admin/api/couriers/{kim['courier_id']}/deactivate", headers=bearer(admins.operator_token))
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    assert kiosk.deposit().get_json()["type"] == "courier-session-expired"  # his open session ended
    assert Kiosk(client, world.kiosk_token).sign_in(COURIER_PHONE, new_pin).status_code == 403
    with app.app_context():
        actions = db.session.execute(sa.text("SELECT action, actor FROM events WHERE action LIKE 'courier.%' "
                                             "ORDER BY id")).all()
    done = [action for action, actor in actions if actor.startswith("admin")]
    assert done == ["courier.pin_set", "courier.deactivated"]
    assert [a[0] for a in actions].count("courier.signed_in") == 2


def test_the_admin_page_shows_a_new_pin_once(app, client, world):
    create_admins(app)
    give_pin(app)
    browser = signed_in(app)
    page = browser.text("/admin/couriers")
    assert "+82 10-****-3333" in page
    with app.app_context():
        kim = db.session.execute(sa.text("SELECT id FROM couriers WHERE name = 'Kim'")).scalar_one()
    shown = browser.post_form(f"/admin/couriers/{kim}/reset-pin", {}, "/admin/couriers")
    assert shown.status_code == 200 and "data-pin" in shown.get_data(as_text=True)
    assert "data-pin" not in browser.text("/admin/couriers")


def test_a_problem_report_is_an_alert_on_the_dashboard(app, client, world):
    create_admins(app)
    browser = signed_in(app)
    assert tile_stat(browser.text("/admin/"), "MAPO-001", "problem_reports") == "0"
    answer = client.post("/kiosk/v1/reports", json={"kind": "door-stuck", "compartment": "A02"},
                         headers={"Authorization": f"Bearer {world.kiosk_token}"})
    assert answer.status_code == 202
    assert tile_stat(browser.text("/admin/"), "MAPO-001", "problem_reports") == "1"
    assert tile_stat(browser.text("/admin/"), "MAPO-002", "problem_reports") == "0"
