"""Twilio status callbacks: only signed ones count, and a status only moves forward whatever the order."""

from __future__ import annotations

import random

import pytest

from tests.conftest import seed_world
from tests.fakes.twilio import sign, status_params
from tests.fakes.twilio_fixtures import AUTH_TOKEN
from tests.integration.sms_support import CALLBACK_PATH, deposited, events, messages, post_callback, relay

PUBLIC = "https://locker.example.org"


@pytest.fixture
def app(make_app):
    return make_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN)


def sent_sid(app, api, sms) -> tuple[str, str]:
    parcel_id = deposited(api)
    relay(app, sms)
    [message] = messages(app, parcel_id)
    assert message.provider_sid
    return parcel_id, message.provider_sid


def test_a_signed_callback_moves_the_status(app, client, api, sms):
    parcel_id, sid = sent_sid(app, api, sms)
    answer = post_callback(client, sid, "delivered")
    assert answer.status_code == 204
    [message] = messages(app, parcel_id)
    assert message.status == "delivered"


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", None])
def test_a_missing_or_bad_signature_is_refused_and_changes_nothing(app, client, api, sms, signature):
    parcel_id, sid = sent_sid(app, api, sms)
    params = status_params(sid, "delivered")
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    answer = client.post(CALLBACK_PATH, data=params, headers=headers)
    assert answer.status_code == 403
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert messages(app, parcel_id)[0].status == "queued"


def test_a_signature_made_with_another_token_or_over_other_fields_is_refused(app, client, api, sms):
    parcel_id, sid = sent_sid(app, api, sms)
    assert post_callback(client, sid, "failed", token="another-accounts-token").status_code == 403
    # A valid signature of a `delivered` report cannot carry `failed` instead.
    good = sign(AUTH_TOKEN, "http://localhost" + CALLBACK_PATH, status_params(sid, "delivered"))
    tampered = client.post(CALLBACK_PATH, data=status_params(sid, "failed"), headers={"X-Twilio-Signature": good})
    assert tampered.status_code == 403
    assert messages(app, parcel_id)[0].status == "queued"


def test_without_an_auth_token_every_callback_is_refused(make_app, api, sms):
    app = make_app()  # console-style setup: nothing to check a signature with
    client = app.test_client()
    assert post_callback(client, "SM" + "1".zfill(32), "delivered").status_code == 403


def test_behind_a_proxy_the_public_url_is_what_twilio_signed(make_app, sms):
    app = make_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_URL=PUBLIC)
    world = seed_world(app)
    client = app.test_client()
    from tests.conftest import Api

    api = Api(client, world)
    parcel_id, sid = sent_sid(app, api, sms)
    # The request reaches us as http://localhost/... but Twilio signed the public address.
    internal = post_callback(client, sid, "sent", signed_url="http://localhost" + CALLBACK_PATH)
    assert internal.status_code == 403
    public = post_callback(client, sid, "delivered", signed_url=PUBLIC + CALLBACK_PATH)
    assert public.status_code == 204
    assert messages(app, parcel_id)[0].status == "delivered"


def test_a_callback_signed_with_a_shared_key_is_checked_with_that_key(make_app, sms):
    app = make_app(TWILIO_AUTH_TOKEN=AUTH_TOKEN, TWILIO_WEBHOOK_SHARED_KEY_SECRET="shared-key-secret")
    client = app.test_client()
    from twilio.request_validator import RequestValidator

    from tests.conftest import Api

    api = Api(client, seed_world(app))
    parcel_id, sid = sent_sid(app, api, sms)
    params = status_params(sid, "delivered")
    url = "http://localhost" + CALLBACK_PATH
    settings = {"X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"}
    with_token = RequestValidator(AUTH_TOKEN).compute_signature(url, params, "HMAC_SHA256")
    refused = client.post(CALLBACK_PATH, data=params, headers={**settings, "X-Twilio-Signature": with_token})
    assert refused.status_code == 403
    with_key = RequestValidator("shared-key-secret").compute_signature(url, params, "HMAC_SHA256")
    accepted = client.post(CALLBACK_PATH, data=params, headers={**settings, "X-Twilio-Signature": with_key})
    assert accepted.status_code == 204
    assert messages(app, parcel_id)[0].status == "delivered"


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_and_repeated_callbacks_end_delivered(app, client, api, sms, seed):
    parcel_id, sid = sent_sid(app, api, sms)
    reports = ["queued", "sending", "sent", "delivered"] * 2
    random.Random(seed).shuffle(reports)
    for status in reports:
        assert post_callback(client, sid, status).status_code == 204
    [message] = messages(app, parcel_id)
    assert message.status == "delivered" and message.error_code is None
    assert api.get(parcel_id).get_json()["notification_failed"] is False


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_and_repeated_callbacks_end_undelivered_with_the_error_code(app, client, api, sms, seed):
    parcel_id, sid = sent_sid(app, api, sms)
    reports = [("queued", None), ("sent", None), ("undelivered", 30003)] * 2
    random.Random(seed).shuffle(reports)
    for status, code in reports:
        assert post_callback(client, sid, status, code).status_code == 204
    [message] = messages(app, parcel_id)
    assert message.status == "undelivered" and message.error_code == 30003
    assert api.get(parcel_id).get_json()["notification_failed"] is True
    [event] = events(app, "sms.undelivered")  # once, however often Twilio repeats itself
    assert event.parcel_id == parcel_id and event.detail["error_code"] == 30003


def test_no_status_moves_back_or_away_from_a_final_one(app, client, api, sms):
    parcel_id, sid = sent_sid(app, api, sms)
    for status, expected in [("sent", "sent"), ("queued", "sent"), ("failed", "failed"), ("delivered", "failed"),
                             ("sent", "failed")]:
        post_callback(client, sid, status, 30008 if status == "failed" else None)
        assert messages(app, parcel_id)[0].status == expected, status
    assert messages(app, parcel_id)[0].error_code == 30008


def test_an_unknown_sid_or_status_changes_nothing(app, client, api, sms):
    parcel_id, sid = sent_sid(app, api, sms)
    assert post_callback(client, "SM" + "f" * 32, "failed", 30003).status_code == 204
    assert post_callback(client, sid, "exploded").status_code == 204
    assert messages(app, parcel_id)[0].status == "queued"
    assert events(app, "sms.undelivered") == []


def test_a_signed_callback_without_the_fields_is_a_bad_request(app, client):
    params = {"AccountSid": "AC" + "1" * 32}
    signature = sign(AUTH_TOKEN, "http://localhost" + CALLBACK_PATH, params)
    answer = client.post(CALLBACK_PATH, data=params, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 400
