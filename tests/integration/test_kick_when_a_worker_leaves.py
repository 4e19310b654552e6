"""A web worker that leaves (recycled after max_requests, or the service stopping) first lets the SMS it is
sending reach the provider and be recorded (deploy/gunicorn.conf.py's worker_exit). Cut off mid-send, a message
stayed claimed for the relay's 5-minute lease: the wave bench measured SMS 7.5 s late at p99 and two unsent after
three minutes once its gunicorn recycled workers as the deploy does."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.sms.kick import close_kicker
from tests.conftest import Api, seed_world
from tests.fakes.twilio import FakeTwilio
from tests.fakes.twilio_fixtures import fake_twilio, twilio_config

__all__ = ["fake_twilio"]  # a fixture these tests use


@pytest.fixture
def slow_twilio(fake_twilio: FakeTwilio) -> FakeTwilio:
    fake_twilio.delay = 0.5  # the send in flight when the worker is told to leave
    return fake_twilio


@pytest.fixture
def kicking(make_app, slow_twilio):
    app = make_app(**twilio_config(slow_twilio, SMS_KICK=True))
    return app, Api(app.test_client(), seed_world(app))


def _statuses(app) -> list[str]:
    with app.app_context():
        statuses = list(db.session.scalars(sa.text("SELECT status FROM messages ORDER BY id")))
        db.session.rollback()
    return statuses


def _deposit(api: Api) -> None:
    parcel = api.reserve().get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200


def test_a_leaving_worker_waits_for_the_sms_it_is_sending_and_takes_no_new_ones(kicking, slow_twilio):
    app, api = kicking
    _deposit(api)
    deadline = time.monotonic() + 10
    while _statuses(app) != ["claimed"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _statuses(app) == ["claimed"], "the kick should be mid-send now"

    assert close_kicker(app, timeout=10)
    assert _statuses(app) == ["queued"], "accepted by the provider and recorded before the worker goes"

    _deposit(api)  # a request still finishing in the leaving worker
    time.sleep(0.8)
    assert _statuses(app) == ["queued", "pending"], "left for the scheduler's relay, not started in a dying thread"
    assert len(slow_twilio.received) == 1


def test_a_send_that_outlasts_the_bound_is_reported(kicking, slow_twilio):
    app, api = kicking
    slow_twilio.mode = "hang"
    _deposit(api)
    deadline = time.monotonic() + 10
    while _statuses(app) != ["claimed"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert close_kicker(app, timeout=0.3) is False
    slow_twilio.release_hang.set()
