"""The relay at concurrency > 1, through the real Twilio SDK against the fake server: every due message sent
once and recorded (status, SID, masked body), mixed answers in one batch, and the bound on unrecorded outcomes."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import relay_job
from locker_app.models import Message
from locker_app.sms.outbox import CODE_MASK, SmsCaps, queue_message
from locker_app.sms.relay import BACKOFF_BASE, relay_once
from locker_app.sms.segments import count_segments
from locker_app.sms.senders import SendResult, SmsError
from tests.conftest import T0
from tests.fakes.twilio import Behaviour
from tests.fakes.twilio_fixtures import fake_twilio, twilio_config, twilio_sender
from tests.integration.sms_support import deposited, events, messages

__all__ = ["fake_twilio"]

CAPS = SmsCaps(per_parcel=100, per_number_per_day=100)


def _queue(app, count: int) -> dict[str, str]:
    """`count` due messages with a code each (Korean text, so the masking counts characters); to -> body."""
    bodies = {}
    with app.app_context():
        for i in range(count):
            prefix = f"[마포구청] 택배 {i}번. 인증번호 "
            to, body = f"+82100000{i:04d}", f"{prefix}{i:08d}. 48시간 무료 보관"
            queue_message(db.session(), T0, kind="delivery", to=to, body=body, code_offset=len(prefix), caps=CAPS)
            bodies[to] = body
        db.session.commit()
    return bodies


def _masked(body: str) -> str:
    start = body.index("인증번호 ") + len("인증번호 ")
    return body[:start] + CODE_MASK + body[start + len(CODE_MASK):]


def test_every_due_message_is_sent_once_and_recorded_through_the_sdk(make_app, fake_twilio):
    app = make_app(**twilio_config(fake_twilio, SMS_RELAY_CONCURRENCY=4))
    bodies = _queue(app, 23)  # not a multiple of the concurrency, and more than one group
    with app.app_context():
        assert relay_job() == 23
        assert relay_job() == 0
    assert Counter(a["To"] for a in fake_twilio.attempts) == dict.fromkeys(bodies, 1)
    sids = {r["To"]: r["sid"] for r in fake_twilio.received}
    for message in messages(app):
        body = bodies[message.to_phone]
        start = body.index("인증번호 ") + len("인증번호 ")
        assert message.status == "queued" and message.provider_sid == sids[message.to_phone]
        assert message.body == body[:start] + CODE_MASK + body[start + len(CODE_MASK):]
        assert message.code_offset is None and message.claimed_until is None
        assert message.segments == 2 and message.sent_at == T0 and message.attempts == 1


def test_accepted_permanent_and_temporary_answers_in_one_concurrent_batch(app, api, fake_twilio):
    phones = {f"010-7777-000{n}": mode for n, mode in enumerate(("accept", "error", "server-error") * 2)}
    parcels = {phone: deposited(api, phone=phone, size="SSSSMM"[n]) for n, phone in enumerate(phones)}
    for phone, mode in phones.items():
        fake_twilio.by_number["+82" + phone.replace("-", "")[1:]] = Behaviour(mode=mode, error_code=21211)

    with app.app_context():
        sent = relay_once(db.session(), twilio_sender(fake_twilio), app.extensions["locker.clock"], None,
                          rng=lambda: 1.0, concurrency=4)
    assert sent == 2
    assert Counter(a["To"] for a in fake_twilio.attempts) == {"+82" + p.replace("-", "")[1:]: 1 for p in phones}
    failed_parcels = {e.parcel_id for e in events(app, "sms.failed")}
    for phone, mode in phones.items():
        [message] = messages(app, parcels[phone])
        flagged = api.get(parcels[phone]).get_json()["notification_failed"]
        assert message.claimed_until is None and message.attempts == 1
        if mode == "accept":
            assert message.status == "queued" and message.provider_sid and CODE_MASK in (message.body or "")
            assert not flagged and parcels[phone] not in failed_parcels
        elif mode == "error":
            assert message.status == "failed" and message.error_code == 21211 and CODE_MASK in (message.body or "")
            assert flagged and parcels[phone] in failed_parcels
        else:
            assert message.status == "pending" and message.error_code == 20500 and message.code_offset is not None
            # Waiting to be tried again: the code stays sealed, never in the body.
            assert message.next_attempt_at == T0 + BACKOFF_BASE and CODE_MASK in (message.body or "")
            assert message.code_sealed is not None
            assert not flagged and parcels[phone] not in failed_parcels


class WatchingSender:
    """Checks, as each send starts, that sends in flight plus outcomes the provider gave but the relay has not
    committed (read from another connection) never exceed the concurrency; and that the sends overlap."""

    def __init__(self, engine: sa.Engine, concurrency: int) -> None:
        self.engine, self.concurrency = engine, concurrency
        self.lock = threading.Lock()
        self.started = self.in_flight = self.answered = self.most_in_flight = 0
        self.overlap = threading.Barrier(concurrency)
        self.breaches: list[str] = []

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        # Read under the lock: no other send starts or ends meanwhile, and commits only lower the true figure.
        with self.lock, self.engine.connect() as conn:
            committed = conn.scalar(sa.select(sa.func.count()).where(Message.status == "queued")) or 0
            self.started += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.answered - committed + self.in_flight > self.concurrency:
                self.breaches.append(f"{self.answered - committed} unrecorded + {self.in_flight} in flight")
            first = self.started <= self.concurrency
        if first:  # the first `concurrency` sends must all be in flight at once
            self.overlap.wait(timeout=5)
        with self.lock:
            self.in_flight -= 1
            self.answered += 1
            return SendResult(sid=f"SM{self.answered:032d}", status="queued", segments=count_segments(body))

    def redact(self, sid: str) -> None:
        pass


@pytest.mark.parametrize("concurrency", [2, 4])
def test_sends_overlap_and_never_more_than_the_concurrency_go_unrecorded(app, clock, concurrency):
    _queue(app, 17)
    with app.app_context():
        sender = WatchingSender(db.engine, concurrency)
        assert relay_once(db.session(), sender, clock, None, concurrency=concurrency) == 17
    assert sender.breaches == []
    assert sender.most_in_flight == concurrency
    assert {m.status for m in messages(app)} == {"queued"}


class MeddlingSender:
    """While a message is being sent, something else writes its row (another connection): one message is
    finished elsewhere (status "failed"), one has its personal data purged."""

    def __init__(self, engine: sa.Engine, finished: str, purged: str) -> None:
        self.engine, self.finished, self.purged = engine, finished, purged
        self.lock = threading.Lock()
        self.count = 0

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        changes = {self.finished: {"status": "failed"}, self.purged: {"to_phone": None, "body": None,
                                                                      "code_offset": None}}.get(to)
        if changes:
            with self.engine.begin() as conn:
                conn.execute(sa.update(Message).where(Message.to_phone == to).values(**changes))
        with self.lock:
            self.count += 1
            return SendResult(sid=f"SM{self.count:032d}", status="queued", segments=1)

    def redact(self, sid: str) -> None:
        pass


def test_an_outcome_changes_only_a_message_still_claimed_and_never_brings_a_purged_body_back(app, clock):
    bodies = _queue(app, 6)
    finished, purged = sorted(bodies)[1], sorted(bodies)[4]
    with app.app_context():
        sender = MeddlingSender(db.engine, finished, purged)
        relay_once(db.session(), sender, clock, None, concurrency=4)
    rows = {m.id: m for m in messages(app)}
    by_body = {m.body: m for m in rows.values()}
    assert sender.count == 6
    [gone] = [m for m in rows.values() if m.to_phone is None]
    assert gone.status == "queued" and gone.body is None and gone.provider_sid is not None
    [other] = [m for m in rows.values() if m.status == "failed"]
    assert other.to_phone == finished and other.provider_sid is None and other.body == _masked(bodies[finished])
    # Every body is masked from the start; the seal goes with each accepted outcome.
    assert len([b for b in by_body if b and CODE_MASK in b]) == 5
    assert [m.code_sealed for m in rows.values() if m.status == "queued"] == [None] * 5



def test_sdk_clients_outlive_the_threads_that_sent_with_them_and_are_never_shared(fake_twilio, monkeypatch):
    """The relay's pool and the post-commit kick use new threads every run; their clients (and the HTTPS
    connections those hold) must come back to the sender instead of dying with each thread, and two sends at
    once must never share one."""
    sender = twilio_sender(fake_twilio, timeout=5)
    made: list[int] = []
    real = sender._new_client
    monkeypatch.setattr(sender, "_new_client", lambda: made.append(1) or real())

    def send(n: int) -> None:
        with contextlib.suppress(SmsError):  # the hung sends below end without an answer
            sender.send(f"+82100000000{n}", "hello")

    for n in range(3):  # one after another, each from a thread of its own
        thread = threading.Thread(target=send, args=(n,))
        thread.start()
        thread.join()
    assert made == []  # the client made at start served all three

    fake_twilio.behaviour.mode = "hang"
    both = [threading.Thread(target=send, args=(n,)) for n in (3, 4)]
    for thread in both:
        thread.start()
    deadline = time.monotonic() + 5
    while len(fake_twilio.attempts) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)  # waiting for two requests to arrive, not for a time rule
    assert made == [1]  # the second send, while the first held the only client, got one of its own
    fake_twilio.release_hang.set()
    for thread in both:
        thread.join()
