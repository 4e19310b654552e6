"""The loop a district office tries first: reserve, deposit, SMS, code at the kiosk, door opens."""

from __future__ import annotations

import threading

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from locker_app.extensions import db
from tests.conftest import PEPPER, code_from, seed_world
from tests.fakes.twilio_fixtures import fake_twilio, twilio_config

__all__ = ["fake_twilio"]  # a fixture these tests use


@pytest.fixture
def live(make_app, fake_twilio):
    """The app behind a real HTTP server, sending SMS with the real Twilio SDK to the fake."""
    app = make_app(**twilio_config(fake_twilio, SMS_KICK=True, PUBLIC_URL="https://locker.example.org"))
    world = seed_world(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, world, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_whole_loop_over_http_with_the_twilio_sdk(live, fake_twilio):
    app, world, base = live
    courier = {"Authorization": f"Bearer {world.courier_token}"}
    kiosk = {"Authorization": f"Bearer {world.kiosk_token}"}

    reserved = requests.post(f"{base}/api/v1/sites/MAPO-001/reservations", timeout=10,
                             headers={**courier, "Idempotency-Key": "r-1"},
                             json={"tracking_number": "CJ123456789", "recipient_phone": "010-1234-5678", "size": "M"})
    assert reserved.status_code == 201, reserved.text
    parcel = reserved.json()
    assert parcel["state"] == "reserved" and parcel["size"] == "M" and parcel["compartment"] == "A05"

    deposited = requests.post(f"{base}/api/v1/parcels/{parcel['parcel_id']}/deposit", timeout=10,
                              headers={**courier, "Idempotency-Key": "d-1"})
    assert deposited.status_code == 200, deposited.text
    assert deposited.json()["state"] == "stored" and deposited.json()["pickup_deadline"]

    # The web process sends right after the commit; no scheduler runs here.
    assert fake_twilio.wait_for(1), "the SMS did not reach Twilio"
    assert app.extensions["locker.sms_kicker"].wait_idle(10)
    sms = fake_twilio.received[0]
    assert sms["To"] == "+821012345678" and sms["From"] == "+15005550006"
    assert sms["StatusCallback"] == "https://locker.example.org/webhooks/twilio/status"
    assert "11/24 14:05" in sms["Body"] and "마포구청 안심택배" in sms["Body"]
    code = code_from(sms["Body"])

    opened = requests.post(f"{base}/kiosk/v1/pickup", json={"code": code}, headers=kiosk, timeout=10)
    assert opened.status_code == 200, opened.text
    assert opened.json()["compartments"] == ["A05"]

    again = requests.post(f"{base}/kiosk/v1/pickup", json={"code": code}, headers=kiosk, timeout=10)
    assert again.status_code == 403
    assert again.headers["Content-Type"] == "application/problem+json"
    assert again.json()["type"] == "code-rejected"

    state = requests.get(f"{base}/api/v1/parcels/{parcel['parcel_id']}", headers=courier, timeout=10).json()
    assert state["state"] == "picked_up"

    # The compartment is free again: the next M parcel may take it.
    with app.app_context():
        message = db.session.execute(sa.text("SELECT status, provider_sid, body FROM messages")).one()
    assert message.status == "queued" and message.provider_sid == sms["sid"]
    assert code not in message.body and "********" in message.body


def test_no_code_in_the_database_or_logs_after_a_delivery(app, api, sms, caplog):
    from locker_app.jobs import relay_job

    caplog.set_level("DEBUG")
    parcel = api.reserve(size="S").get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200
    with app.app_context():
        assert relay_job() == 1
    code = code_from(sms.sent[0]["body"])

    with app.app_context():
        session = db.session()
        for table in db.metadata.sorted_tables:
            for row in session.execute(sa.select(table)).all():
                for value in row:
                    assert code not in str(value), f"code found in plain text in {table.name}"
        digest = session.execute(sa.text("SELECT digest FROM access_codes")).scalar_one()
    from locker_app.services.codes import code_digest

    with app.app_context():
        site_id = db.session.execute(sa.text("SELECT id FROM sites WHERE code = 'MAPO-001'")).scalar_one()
    assert digest == code_digest(PEPPER, site_id, code)
    assert code not in caplog.text
    assert "1012345678" not in caplog.text

    assert api.pickup(code).status_code == 200
    assert code not in caplog.text


def test_delivery_sms_in_english_for_an_english_site(app, api, sms):
    from locker_app.jobs import relay_job

    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET language = 'en' WHERE code = 'MAPO-001'"))
        db.session.commit()
    parcel = api.reserve().get_json()
    api.deposit(parcel["parcel_id"])
    with app.app_context():
        relay_job()
    body = sms.sent[0]["body"]
    assert body.startswith("[마포구청 안심택배] Parcel delivered 11/24 14:05. Code ")
    assert "Free storage until 11/26 14:05." in body
