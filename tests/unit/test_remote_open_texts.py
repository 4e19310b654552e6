"""The SMS telling a recipient an operator opened her compartment: both languages, every category, short."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from locker_app.four_eyes.texts import CATEGORIES, remote_open_text
from locker_app.services.provisioning import SMS_NAME_MAX
from locker_app.sms.segments import count_segments


@pytest.mark.parametrize("category", sorted(CATEGORIES))
@pytest.mark.parametrize("language", ["ko", "en"])
def test_fits_two_segments_with_the_longest_site_name(category: str, language: str) -> None:
    text = remote_open_text(language, "가" * SMS_NAME_MAX, "Asia/Seoul", datetime(2026, 12, 31, 14, 59, tzinfo=UTC),
                            category)
    assert count_segments(text) <= 2, text
    assert "12/31 23:59" in text and CATEGORIES[category][language] in text


def test_snapshot_in_korean() -> None:
    text = remote_open_text("ko", "마포구청 안심택배", "Asia/Seoul", datetime(2026, 11, 24, 5, 5, tzinfo=UTC),
                            "door-fault")
    assert text == ("[마포구청 안심택배] 관리자가 11/24 14:05에 택배 보관함을 원격으로 열었습니다(사유: 문 고장). "
                    "문의는 관리사무소로 해주세요.")
