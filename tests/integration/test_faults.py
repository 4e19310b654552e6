"""Faults: the database connection dropped in the middle of a request; the SMS provider down, then hanging,
then back. (A relay killed between claim and send: test_sms_relay.py and test_relay.py cover the lease.)"""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import relay_job
from locker_app.models import AccessCode, Message, Parcel
from locker_app.sms.relay import MAX_ATTEMPTS
from tests.conftest import row_counts, terminate_backend
from tests.fakes.twilio_fixtures import fake_twilio, twilio_config

__all__ = ["fake_twilio"]


def _terminate_own_backend(db_url: str) -> None:
    """From another connection, kill the backend that holds this request's transaction."""
    terminate_backend(db_url, db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar())


@pytest.mark.parametrize("when", ["during the work", "at the commit"])
def test_a_dropped_database_connection_is_a_clean_503_and_changes_nothing(app, api, backend, db_url, monkeypatch,
                                                                         when):
    if backend != "postgresql":
        pytest.skip("terminating a server backend needs PostgreSQL")
    import locker_app.services.idempotency as idempotency
    import locker_app.services.parcels as parcels

    parcel_id = api.reserve().get_json()["parcel_id"]
    before = row_counts(app)
    real_deposit, real_complete = parcels.deposit, idempotency.complete

    def deposit_then_lose_the_connection(session, *args, **kwargs):
        parcel = real_deposit(session, *args, **kwargs)  # the parcel, its code and its SMS are flushed
        if when == "during the work":
            _terminate_own_backend(db_url)
            session.flush()  # the next statement finds the connection gone
        return parcel

    def complete_then_lose_the_connection(session, *args, **kwargs):
        real_complete(session, *args, **kwargs)
        _terminate_own_backend(db_url)

    monkeypatch.setattr(parcels, "deposit", deposit_then_lose_the_connection)
    if when == "at the commit":
        monkeypatch.setattr(idempotency, "complete", complete_then_lose_the_connection)
    response = api.deposit(parcel_id, key="deposit-once")
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["type"] == "service-unavailable"
    assert "Traceback" not in response.get_data(as_text=True)
    assert row_counts(app) == before  # no stored parcel, no code, no SMS, no key left 'running'
    with app.app_context():
        assert db.session.get(Parcel, parcel_id).state == "reserved"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessCode)) == 0

    monkeypatch.setattr(parcels, "deposit", real_deposit)
    monkeypatch.setattr(idempotency, "complete", real_complete)
    retried = api.deposit(parcel_id, key="deposit-once")  # the same key: "safe to retry" must be true
    assert retried.status_code == 200 and retried.get_json()["state"] == "stored"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 1


def test_sms_provider_down_then_hanging_then_back_sends_every_message(make_app, world_factory, fake_twilio, clock):
    from tests.conftest import Api

    app = make_app(**twilio_config(fake_twilio, TWILIO_TIMEOUT_SECONDS=0.3))
    world = world_factory(app)
    api = Api(app.test_client(), world)
    phones = [f"010-5555-{n:04d}" for n in range(3)]
    for phone in phones:
        parcel = api.reserve(phone=phone).get_json()
        assert api.deposit(parcel["parcel_id"]).status_code == 200

    def relay_when_due() -> int:
        clock.advance(hours=1)  # past any back-off (at most an hour)
        with app.app_context():
            return relay_job()

    fake_twilio.behaviour.mode = "server-error"
    relay_when_due()
    relay_when_due()
    fake_twilio.behaviour.mode = "hang"
    relay_when_due()
    # The relay really tried through both outages: every message twice against the 500s, once into the hang.
    assert Counter(a["mode"] for a in fake_twilio.attempts) == {"server-error": 6, "hang": 3}
    fake_twilio.behaviour.mode = "accept"
    fake_twilio.release_hang.set()
    for _ in range(3):
        relay_when_due()

    with app.app_context():
        statuses = db.session.scalars(sa.select(Message.status)).all()
        attempts = db.session.scalars(sa.select(Message.attempts)).all()
    assert sorted(statuses) == ["queued"] * 3, statuses
    # Every recipient got the SMS; a resend after a hang is the only way to a duplicate, and it is bounded.
    delivered = Counter(m["To"] for m in fake_twilio.received)
    assert sorted(delivered) == sorted(f"+8210555500{n:02d}" for n in range(3))
    hung = sum(1 for a in fake_twilio.attempts if a["mode"] == "hang")
    assert sum(delivered.values()) - 3 <= hung
    assert all(n <= MAX_ATTEMPTS for n in attempts)
