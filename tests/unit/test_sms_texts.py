from datetime import UTC, datetime

import pytest

from locker_app.models import Message
from locker_app.sms.outbox import mask_code
from locker_app.sms.segments import count_segments
from locker_app.sms.templates import TEMPLATES, local_time, render

AT = datetime(2026, 11, 24, 5, 5, tzinfo=UTC)
LONGEST_SITE = "가" * 20


def test_times_are_shown_in_the_site_time_zone():
    assert local_time(AT, "Asia/Seoul") == "11/24 14:05"
    assert local_time(datetime(2026, 11, 24, 15, 30, tzinfo=UTC), "Asia/Seoul") == "11/25 00:30"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_delivery_text_names_site_time_code_and_free_until(language):
    text, offset = render("delivery", language, code="01234567", site="마포구청 안심택배", at="11/24 14:05",
                          free_until="11/26 14:05")
    assert text[offset:offset + 8] == "01234567"
    assert "마포구청 안심택배" in text and "11/24 14:05" in text and "11/26 14:05" in text


def test_korean_delivery_fits_two_segments_with_the_longest_site_name():
    text, _ = render("delivery", "ko", code="01234567", site=LONGEST_SITE, at="12/31 23:59", free_until="01/02 23:59")
    assert count_segments(text) <= 2


@pytest.mark.parametrize(("text", "segments"), [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("가" * 70, 1), ("가" * 71, 2), ("가" * 134, 2), ("가" * 135, 3),
    ("{" * 80, 1), ("{" * 81, 2),
])
def test_segment_counts(text, segments):
    assert count_segments(text) == segments


def test_every_template_has_both_languages():
    for kind, texts in TEMPLATES.items():
        assert set(texts) >= {"ko", "en"}, kind


def test_masking_replaces_exactly_the_code():
    text, offset = render("delivery", "en", code="98765432", site="S", at="11/24 14:05", free_until="11/26 14:05")
    message = Message(body=text, code_offset=offset)
    mask_code(message)
    assert "98765432" not in message.body and "********" in message.body
    assert message.body.replace("********", "98765432") == text
