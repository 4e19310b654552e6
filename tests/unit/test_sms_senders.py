"""The real Twilio SDK against the fake server: which answers are worth a retry and which are not."""

from __future__ import annotations

import socket

import pytest

from locker_app.sms.senders import PERMANENT_ERRORS, SmsError, TwilioSender
from tests.fakes.twilio import FakeTwilio
from tests.fakes.twilio_fixtures import ACCOUNT_SID, AUTH_TOKEN, FROM, fake_twilio, twilio_sender

__all__ = ["fake_twilio"]

TO = "+821012345678"


def test_an_accepted_message_gives_its_sid_status_and_segments(fake_twilio: FakeTwilio) -> None:
    result = twilio_sender(fake_twilio).send(TO, "안녕하세요", "https://locker.example.org/webhooks/twilio/status")
    assert result.sid == fake_twilio.received[0]["sid"]
    assert result.status == "queued" and result.segments == 2
    assert fake_twilio.received[0]["StatusCallback"] == "https://locker.example.org/webhooks/twilio/status"


@pytest.mark.parametrize("code", sorted(PERMANENT_ERRORS))
def test_permanent_twilio_errors_are_not_worth_a_retry(fake_twilio: FakeTwilio, code: int) -> None:
    fake_twilio.behaviour.mode, fake_twilio.behaviour.error_code = "error", code
    with pytest.raises(SmsError) as raised:
        twilio_sender(fake_twilio).send(TO, "hello")
    assert raised.value.temporary is False and raised.value.code == code


@pytest.mark.parametrize(("mode", "status", "code"), [
    ("server-error", 500, 20500),
    ("error", 429, 20429),
    ("error", 503, 20503),
])
def test_server_errors_and_rate_limits_are_temporary(fake_twilio: FakeTwilio, mode: str, status: int,
                                                     code: int) -> None:
    fake_twilio.behaviour.mode, fake_twilio.behaviour.error_status = mode, status
    fake_twilio.behaviour.error_code = code
    with pytest.raises(SmsError) as raised:
        twilio_sender(fake_twilio).send(TO, "hello")
    assert raised.value.temporary is True


def test_a_hanging_twilio_is_a_temporary_timeout(fake_twilio: FakeTwilio) -> None:
    fake_twilio.behaviour.mode = "hang"
    with pytest.raises(SmsError) as raised:
        twilio_sender(fake_twilio, timeout=0.3).send(TO, "hello")
    assert raised.value.temporary is True and raised.value.code is None


def test_a_refused_connection_is_temporary() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = TwilioSender(ACCOUNT_SID, AUTH_TOKEN, from_number=FROM, base_url=f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(SmsError) as raised:
        sender.send(TO, "hello")
    assert raised.value.temporary is True


def test_redact_empties_the_body_at_twilio(fake_twilio: FakeTwilio) -> None:
    sender = twilio_sender(fake_twilio)
    sid = sender.send(TO, "인증번호 12345678").sid
    sender.redact(sid)
    assert fake_twilio.updates == [{"sid": sid, "Body": ""}]


def test_a_refused_redaction_is_permanent(fake_twilio: FakeTwilio) -> None:
    fake_twilio.update_behaviour.mode, fake_twilio.update_behaviour.error_code = "error", 20009
    with pytest.raises(SmsError) as raised:
        twilio_sender(fake_twilio).redact("SM" + "0" * 32)
    assert raised.value.temporary is False
