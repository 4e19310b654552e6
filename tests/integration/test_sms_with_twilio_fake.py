"""The issue's "done when", over HTTP with the real Twilio SDK against the fake server: the Korean delivery
message arrives with time and code, a signed `delivered` callback shows on the message, a 21211 is tried
once. And redaction after pickup."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from locker_app.jobs import relay_job
from tests.conftest import code_from, seed_world
from tests.fakes.twilio import sign, status_params
from tests.fakes.twilio_fixtures import AUTH_TOKEN, fake_twilio, twilio_config
from tests.integration.sms_support import CALLBACK_PATH, events, messages

__all__ = ["fake_twilio"]

PUBLIC = "https://locker.example.org"


@pytest.fixture
def live(make_app, fake_twilio):
    app = make_app(**twilio_config(fake_twilio, SMS_KICK=True, PUBLIC_URL=PUBLIC, TWILIO_REDACT=True))
    world = seed_world(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, world, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _deliver(base: str, token: str, phone: str, key: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    reserved = requests.post(f"{base}/api/v1/sites/MAPO-001/reservations", timeout=10,
                             headers={**headers, "Idempotency-Key": f"r-{key}"},
                             json={"tracking_number": f"CJ{key}", "recipient_phone": phone, "size": "S"})
    assert reserved.status_code == 201, reserved.text
    parcel_id = reserved.json()["parcel_id"]
    deposited = requests.post(f"{base}/api/v1/parcels/{parcel_id}/deposit", timeout=10,
                              headers={**headers, "Idempotency-Key": f"d-{key}"})
    assert deposited.status_code == 200, deposited.text
    return str(parcel_id)


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_done_when(live, fake_twilio, clock):
    app, world, base = live

    # 1. The Korean delivery message arrives with the delivery time and the code.
    parcel_id = _deliver(base, world.courier_token, "010-1234-5678", "1")
    assert fake_twilio.wait_for(1), "the SMS did not reach Twilio"
    sms = fake_twilio.received[0]
    assert sms["Body"].startswith("[마포구청 안심택배] 택배가 도착했습니다(11/24 14:05).\n인증번호 ")
    code = code_from(sms["Body"])
    assert sms["StatusCallback"] == PUBLIC + CALLBACK_PATH
    assert _wait_for(lambda: messages(app, parcel_id)[0].provider_sid == sms["sid"])
    [message] = messages(app, parcel_id)
    assert message.status == "queued" and message.segments == 2

    # 2. A signed `delivered` callback, to the public URL (we sit behind a proxy), shows on the message.
    params = status_params(sms["sid"], "delivered")
    callback = requests.post(base + CALLBACK_PATH, data=params, timeout=10,
                             headers={"X-Twilio-Signature": sign(AUTH_TOKEN, PUBLIC + CALLBACK_PATH, params)})
    assert callback.status_code == 204, callback.text
    assert messages(app, parcel_id)[0].status == "delivered"
    forged = requests.post(base + CALLBACK_PATH, data=status_params(sms["sid"], "failed"), timeout=10,
                           headers={"X-Twilio-Signature": "Zm9yZ2Vk"})
    assert forged.status_code == 403
    assert messages(app, parcel_id)[0].status == "delivered"

    # 3. A 21211 (invalid number) is tried once, flags the parcel, writes an event.
    fake_twilio.behaviour.mode, fake_twilio.behaviour.error_code = "error", 21211
    bad = _deliver(base, world.courier_token, "010-0000-0000", "2")
    assert _wait_for(lambda: messages(app, bad)[0].status == "failed"), "the 21211 was not recorded"
    clock.advance(hours=6)
    with app.app_context():
        relay_job()
    assert [a["To"] for a in fake_twilio.attempts].count("+821000000000") == 1
    state = requests.get(f"{base}/api/v1/parcels/{bad}", timeout=10,
                         headers={"Authorization": f"Bearer {world.courier_token}"}).json()
    assert state["notification_failed"] is True
    assert [e.detail["error_code"] for e in events(app, "sms.failed")] == [21211]

    # 4. With LOCKER_TWILIO_REDACT, the body is redacted at Twilio once the parcel is picked up.
    assert fake_twilio.updates == []
    opened = requests.post(f"{base}/kiosk/v1/pickup", json={"code": code}, timeout=10,
                           headers={"Authorization": f"Bearer {world.kiosk_token}"})
    assert opened.status_code == 200
    with app.app_context():
        relay_job()
        relay_job()
    assert fake_twilio.updates == [{"sid": sms["sid"], "Body": ""}]
    assert messages(app, parcel_id)[0].redaction == "done"
