"""The relay by error class: retries with back-off on the frozen clock, permanent failures at once, the lease."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.models import Message
from locker_app.sms.outbox import SmsCaps, queue_message
from locker_app.sms.relay import BACKOFF_BASE, LEASE, MAX_ATTEMPTS, claim_due, relay_once
from locker_app.sms.segments import count_segments
from locker_app.sms.senders import PERMANENT_ERRORS, SendResult, SmsError
from tests.conftest import T0
from tests.integration.sms_support import deposited, events, messages, relay


class CountingSender:
    """Answers as told and counts every attempt; thread-safe, with unique SIDs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[str] = []
        self.attempts = 0
        self.fail_with: SmsError | None = None

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        with self.lock:
            self.attempts += 1
            if self.fail_with is not None:
                raise self.fail_with
            self.sent.append(body)
        return SendResult(sid="SM" + uuid.uuid4().hex, status="queued", segments=count_segments(body))

    def redact(self, sid: str) -> None:
        pass


def test_an_accepted_message_keeps_sid_status_segments_and_loses_its_code(app, api, sms):
    parcel_id = deposited(api)
    assert relay(app, sms) == 1
    [message] = messages(app, parcel_id)
    assert message.status == "queued" and message.provider_sid == "SM" + "1".zfill(32)
    assert message.segments == 2 and message.attempts == 1 and message.sent_at == T0
    assert "********" in (message.body or "") and message.code_offset is None


def test_temporary_failures_are_retried_on_a_jittered_exponential_schedule(app, api, clock):
    sender = CountingSender()
    sender.fail_with = SmsError("Twilio answered 500", temporary=True, code=20500)
    parcel_id = deposited(api)

    assert relay(app, sender, rng=lambda: 1.0) == 0
    [message] = messages(app, parcel_id)
    assert message.status == "pending" and message.error_code == 20500
    assert message.next_attempt_at == T0 + BACKOFF_BASE

    clock.advance(seconds=29)
    relay(app, sender)
    assert sender.attempts == 1, "retried before its back-off ran out"

    clock.advance(seconds=1)
    relay(app, sender, rng=lambda: 0.0)  # the least jitter: half of 2 x base
    assert sender.attempts == 2
    [message] = messages(app, parcel_id)
    assert message.next_attempt_at == T0 + BACKOFF_BASE + BACKOFF_BASE

    clock.advance(seconds=29)
    relay(app, sender)
    assert sender.attempts == 2
    sender.fail_with = None
    clock.advance(seconds=1)
    assert relay(app, sender) == 1
    [message] = messages(app, parcel_id)
    assert message.status == "queued" and message.error_code is None and message.attempts == 3
    assert api.get(parcel_id).get_json()["notification_failed"] is False


def test_temporary_failures_give_up_after_the_maximum_attempts(app, api, clock):
    sender = CountingSender()
    sender.fail_with = SmsError("Twilio could not be reached: ReadTimeout", temporary=True)
    parcel_id = deposited(api)
    for _ in range(MAX_ATTEMPTS + 3):
        relay(app, sender)
        clock.advance(hours=2)
    assert sender.attempts == MAX_ATTEMPTS
    [message] = messages(app, parcel_id)
    assert message.status == "failed"
    assert api.get(parcel_id).get_json()["notification_failed"] is True
    [failed] = events(app, "sms.failed")
    assert failed.parcel_id == parcel_id and failed.detail["attempts"] == MAX_ATTEMPTS


@pytest.mark.parametrize("code", sorted(PERMANENT_ERRORS))
def test_permanent_errors_fail_at_once_flag_the_parcel_and_write_an_event(app, api, clock, code):
    sender = CountingSender()
    sender.fail_with = SmsError(f"Twilio answered 400 ({code})", temporary=False, code=code)
    parcel_id = deposited(api)
    assert api.get(parcel_id).get_json()["notification_failed"] is False

    relay(app, sender)
    clock.advance(hours=3)
    relay(app, sender)
    assert sender.attempts == 1
    [message] = messages(app, parcel_id)
    assert message.status == "failed" and message.error_code == code
    assert "********" in (message.body or ""), "a failed message must not keep the code either"
    assert api.get(parcel_id).get_json()["notification_failed"] is True
    [failed] = events(app, "sms.failed")
    assert failed.parcel_id == parcel_id and failed.detail["error_code"] == code


def test_a_relay_that_dies_between_claim_and_send_sends_the_message_once_after_the_lease(app, api, clock):
    parcel_id = deposited(api)
    with app.app_context():
        claimed = claim_due(db.session(), clock())
        db.session.commit()
    assert [c.id for c in claimed] == [m.id for m in messages(app, parcel_id)]
    # ... and the process is gone before it sends.

    sender = CountingSender()
    assert relay(app, sender) == 0
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert relay(app, sender) == 0, "sent while another relay still held the lease"
    clock.advance(seconds=2)
    assert relay(app, sender) == 1
    clock.advance(hours=1)
    assert relay(app, sender) == 0
    assert sender.attempts == 1
    [message] = messages(app, parcel_id)
    assert message.status == "queued" and message.attempts == 2


@pytest.mark.parametrize("concurrency", [1, 4])
def test_two_relays_at_once_send_every_message_exactly_once(app, clock, concurrency):
    with app.app_context():
        session = db.session()
        for i in range(30):
            queue_message(session, clock(), kind="delivery", to=f"+8210000{i:04d}", body=f"message {i}",
                          caps=SmsCaps(per_parcel=100, per_number_per_day=100))
        session.commit()

    sender = CountingSender()
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                while relay_once(db.session(), sender, clock, None, limit=5, concurrency=concurrency):
                    pass
                db.session.remove()
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert sorted(sender.sent) == sorted(f"message {i}" for i in range(30))
    assert {m.status for m in messages(app)} == {"queued"}
    assert sender.attempts == 30


def test_a_message_waits_in_pending_until_its_time(app, api, sms, clock):
    deposited(api)
    with app.app_context():
        db.session.execute(sa.update(Message).values(next_attempt_at=clock() + timedelta(minutes=1)))
        db.session.commit()
    assert relay(app, sms) == 0
    clock.advance(minutes=1)
    assert relay(app, sms) == 1
