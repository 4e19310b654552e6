"""Pytest fixtures around the fake SOLAPI server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.solapi import FakeSolapi, start_fake_solapi

API_KEY = "NCSTESTKEY0000000"
API_SECRET = "test-solapi-secret"
FROM = "02-1234-5678"  # the district office's registered 발신번호
PF_ID = "KA01PF0000000000000000000000"
WEBHOOK_TOKEN = "solapi-webhook-token"


@pytest.fixture
def fake_solapi() -> Iterator[FakeSolapi]:
    fake, server = start_fake_solapi()
    yield fake
    fake.release.set()
    server.shutdown()


def solapi_config(fake: FakeSolapi, **extra: object) -> dict[str, object]:
    """make_app overrides for the real SOLAPI sender pointed at the fake, for Korean sites."""
    return {"SOLAPI_API_KEY": API_KEY, "SOLAPI_API_SECRET": API_SECRET, "SOLAPI_FROM_NUMBER": FROM,
            "SOLAPI_BASE_URL": fake.url, "SMS_SENDER_BY_COUNTRY": "KR=solapi", "SOLAPI_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
            **extra}
