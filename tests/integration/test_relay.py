"""The outbox relay: sent once, retried when the provider stumbles, given up on when it says no."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import relay_job
from locker_app.models import Event, Message, Parcel
from locker_app.sms.relay import LEASE, MAX_ATTEMPTS, claim_due
from locker_app.sms.senders import SmsError


def _deposit(api):
    parcel = api.reserve().get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200
    return parcel["parcel_id"]


def _message(app):
    with app.app_context():
        message = db.session.scalars(sa.select(Message)).one()
        db.session.expunge(message)
        return message


def test_deposit_queues_the_message_in_its_own_transaction(app, api, sms):
    _deposit(api)
    message = _message(app)
    assert message.status == "pending" and message.kind == "delivery" and message.to_phone == "+821012345678"
    assert sms.sent == []  # nothing leaves before the relay runs


def test_a_message_is_sent_once(app, api, sms):
    _deposit(api)
    with app.app_context():
        assert relay_job() == 1
        assert relay_job() == 0
    assert len(sms.sent) == 1
    assert _message(app).status == "queued"


def test_temporary_failures_back_off_then_give_up(app, api, sms, clock):
    parcel_id = _deposit(api)
    sms.fail_with = SmsError("503", temporary=True, code=None)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with app.app_context():
            relay_job()
            assert relay_job() == 0  # not due again straight away
        message = _message(app)
        assert message.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert message.status == "pending"
            waits.append(message.next_attempt_at - clock())
            clock.advance(seconds=(message.next_attempt_at - clock()).total_seconds())
    assert message.status == "failed"
    # Exponential with jitter: each wait within [half, full] of 30 s * 2^(n-1), capped at an hour.
    for n, wait in enumerate(waits, start=1):
        ceiling = min(timedelta(hours=1), timedelta(seconds=30) * 2 ** (n - 1))
        assert ceiling / 2 <= wait <= ceiling, (n, wait)
    with app.app_context():
        assert db.session.get(Parcel, parcel_id).notification_failed is True


def test_a_permanent_failure_is_not_retried_and_flags_the_parcel(app, api, sms, clock):
    parcel_id = _deposit(api)
    sms.fail_with = SmsError("invalid number", temporary=False, code=21211)
    with app.app_context():
        relay_job()
    clock.advance(hours=2)
    with app.app_context():
        relay_job()
        message = db.session.scalars(sa.select(Message)).one()
        assert (message.status, message.attempts, message.error_code) == ("failed", 1, 21211)
        assert "********" in message.body  # the code is not kept once the message is dead
        assert db.session.get(Parcel, parcel_id).notification_failed is True
        actions = db.session.scalars(sa.select(Event.action)).all()
        assert "sms.failed" in actions
    view = api.get(parcel_id).get_json()
    assert view["notification_failed"] is True


def test_a_relay_that_died_after_claiming_is_taken_over_after_the_lease(app, api, sms, clock):
    _deposit(api)
    with app.app_context():
        claimed = claim_due(db.session(), clock())
        db.session.commit()  # ... and then the process died before sending
    assert len(claimed) == 1
    with app.app_context():
        assert relay_job() == 0  # still leased to the dead relay
    clock.advance(seconds=LEASE.total_seconds() + 1)
    with app.app_context():
        assert relay_job() == 1
    assert len(sms.sent) == 1
