"""LOCKER_TWILIO_REDACT: after pickup, the provider is asked to forget the text, once, and only then."""

from __future__ import annotations

from locker_app.jobs import relay_job
from locker_app.sms.senders import SmsError
from tests.conftest import code_from
from tests.fakes.twilio_fixtures import AUTH_TOKEN
from tests.integration.sms_support import deposited, events, messages, post_callback


def run_jobs(app) -> None:
    with app.app_context():
        relay_job()


def test_the_body_is_redacted_once_after_a_delivered_pickup(make_app, sms):
    app = make_app(TWILIO_REDACT=True, TWILIO_AUTH_TOKEN=AUTH_TOKEN)
    from tests.conftest import Api, seed_world

    api = Api(app.test_client(), seed_world(app))
    parcel_id = deposited(api)
    run_jobs(app)
    [message] = messages(app, parcel_id)
    assert post_callback(api.client, message.provider_sid, "delivered").status_code == 204
    run_jobs(app)
    assert sms.redacted == [], "redacted before pickup"

    assert api.pickup(code_from(sms.sent[0]["body"])).status_code == 200
    run_jobs(app)
    run_jobs(app)
    assert sms.redacted == [message.provider_sid]
    assert messages(app, parcel_id)[0].redaction == "done"


def test_without_a_callback_redaction_waits_an_hour_after_pickup(make_app, sms, clock):
    app = make_app(TWILIO_REDACT=True)
    from tests.conftest import Api, seed_world

    api = Api(app.test_client(), seed_world(app))
    parcel_id = deposited(api)
    run_jobs(app)
    api.pickup(code_from(sms.sent[0]["body"]))
    clock.advance(minutes=59)
    run_jobs(app)
    assert sms.redacted == []
    clock.advance(minutes=2)
    run_jobs(app)
    assert sms.redacted == [messages(app, parcel_id)[0].provider_sid]


def test_nothing_is_redacted_unless_asked(app, api, sms, clock):
    deposited(api)
    run_jobs(app)
    api.pickup(code_from(sms.sent[0]["body"]))
    clock.advance(hours=2)
    run_jobs(app)
    assert sms.redacted == []


def test_a_refused_redaction_is_an_event_and_not_tried_again(make_app, sms, clock):
    class Refusing(type(sms)):  # type: ignore[misc]
        def redact(self, sid: str) -> None:
            self.redacted.append(sid)
            raise SmsError("Twilio answered 400 (20009)", temporary=False, code=20009)

    sender = Refusing()
    app = make_app(TWILIO_REDACT=True, SMS_SENDER=sender)
    from tests.conftest import Api, seed_world

    api = Api(app.test_client(), seed_world(app))
    parcel_id = deposited(api)
    run_jobs(app)
    api.pickup(code_from(sender.sent[0]["body"]))
    clock.advance(hours=2)
    run_jobs(app)
    run_jobs(app)
    assert len(sender.redacted) == 1
    assert messages(app, parcel_id)[0].redaction == "failed"
    assert len(events(app, "sms.redaction_failed")) == 1
