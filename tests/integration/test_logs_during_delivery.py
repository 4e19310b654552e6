"""A whole delivery (reserve, deposit, relay, pickup) logged as JSON, at DEBUG: every line carries its
request id, and none holds the code, a token or the resident's full phone number."""

from __future__ import annotations

import io
import json
import logging

from locker_app.ops.logs import make_handler
from tests.conftest import Api, code_from, seed_world

PHONE = "010-9876-5432"
PHONE_FORMS = ("9876-5432", "98765432", "+821098765432", "1098765432")


def test_a_full_delivery_logs_no_code_token_or_phone(make_app, sms, clock):
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        app = make_app(ACCESS_LOG=True, SMS_KICK=True)
        world = seed_world(app)
        api = Api(app.test_client(), world)
        reserved = api.client.post(
            "/api/v1/sites/MAPO-001/reservations",
            json={"tracking_number": "CJ1234567890", "recipient_phone": PHONE, "size": "S"},
            headers={"Authorization": f"Bearer {world.courier_token}", "Idempotency-Key": "k1",
                     "X-Request-ID": "req-reserve-1"})
        assert reserved.status_code == 201 and reserved.headers["X-Request-ID"] == "req-reserve-1"
        parcel_id = reserved.get_json()["parcel_id"]
        assert api.deposit(parcel_id).status_code == 200
        assert app.extensions["locker.sms_kicker"].wait_idle(10)
        result = app.test_cli_runner().invoke(args=["locker", "run-jobs", "--at", "+25h"])  # the reminder too
        assert result.exit_code == 0, result.output
        app.extensions["locker.clock"] = clock
        [delivery, _reminder] = sms.sent
        code = code_from(delivery["body"])
        assert api.pickup("11111111").status_code == 403
        assert api.client.get(f"/kiosk/?token={world.kiosk_token}").status_code == 200
        assert api.pickup(code).status_code == 200
        # What a careless line elsewhere might do: the safety net still masks it.
        logging.getLogger("locker.somewhere").info("sending %r to %s", delivery["body"], delivery["to"])
    finally:
        root.removeHandler(handler)
        root.setLevel(level)

    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    access = [line for line in lines if line["logger"] == "locker.access"]
    assert len(access) >= 5, text
    assert access[0]["request_id"] == "req-reserve-1" and access[0]["status"] == 201
    assert all(line["request_id"] != "-" for line in access)
    assert any(line["logger"] == "locker_app.jobs" for line in lines), "the jobs logged nothing: the test saw nothing"
    assert any(line["path"].startswith("/kiosk/") for line in access)
    for secret in (code, "11111111", world.courier_token, world.kiosk_token, *PHONE_FORMS):
        assert secret not in text, f"{secret!r} was logged"
