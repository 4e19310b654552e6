"""Pytest fixtures around the fake Twilio server, shared by the SMS tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from locker_app.sms.senders import TwilioSender
from tests.fakes.twilio import FakeTwilio, start_fake_twilio

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "secret-auth-token"
FROM = "+15005550006"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake, server = start_fake_twilio()
    yield fake
    fake.release_hang.set()
    server.shutdown()


def twilio_sender(fake: FakeTwilio, timeout: float = 5.0) -> TwilioSender:
    return TwilioSender(ACCOUNT_SID, AUTH_TOKEN, from_number=FROM, base_url=fake.url, timeout=timeout)


def twilio_config(fake: FakeTwilio, **extra: object) -> dict[str, object]:
    """make_app overrides for the real Twilio sender pointed at the fake."""
    return {"SMS_BACKEND": "twilio", "SMS_SENDER": None, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM_NUMBER": FROM, "TWILIO_BASE_URL": fake.url, **extra}
