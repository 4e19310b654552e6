"""What residents read: every template in both languages, its length in SMS segments, and nothing private."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from locker_app.services.policy import format_amount
from locker_app.services.provisioning import SMS_NAME_MAX
from locker_app.sms.segments import count_segments
from locker_app.sms.templates import TEMPLATES, local_time, render

LONGEST_KO_SITE = "가" * SMS_NAME_MAX  # Hangul costs as much as any character in UCS-2
LONGEST_TIME = "12/31 23:59"
PARAMS = {
    "delivery": {"site": LONGEST_KO_SITE, "at": LONGEST_TIME, "free_until": LONGEST_TIME},
    "reminder": {"site": LONGEST_KO_SITE, "at": LONGEST_TIME, "free_until": LONGEST_TIME,
                 "fee": "KRW 100,000", "deadline": LONGEST_TIME},
    "expiry": {"site": LONGEST_KO_SITE, "at": LONGEST_TIME},
    "return": {"site": LONGEST_KO_SITE},
}


def _render(kind: str, language: str, **override: str) -> str:
    code = "12345678" if kind == "delivery" else None
    return render(kind, language, code=code, **{**PARAMS[kind], **override})[0]


def test_every_kind_exists_in_korean_and_english() -> None:
    assert set(TEMPLATES) == {"delivery", "reminder", "expiry", "return"}
    for kind, texts in TEMPLATES.items():
        assert set(texts) == {"ko", "en"}, kind


@pytest.mark.parametrize("kind", sorted(PARAMS))
@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_template_fits_two_segments_with_the_longest_site_name(kind: str, language: str) -> None:
    text = _render(kind, language)
    assert count_segments(text) <= 2, (len(text), text)


def test_the_korean_delivery_message_fits_two_ucs2_segments() -> None:
    text = _render("delivery", "ko")
    assert len(text.encode("utf-16-le")) // 2 <= 134
    assert count_segments(text) == 2
    assert count_segments(text + "가" * (134 - len(text) + 1)) == 3  # the count is not trivially 2


def test_english_texts_with_a_latin_site_name_are_one_gsm_segment_where_they_can_be() -> None:
    assert count_segments(_render("delivery", "en", site="Mapo Gu Office Lock")) == 1
    assert count_segments(_render("return", "en", site="Mapo Gu Office Lock")) == 1


def test_delivery_snapshots() -> None:
    params = {"site": "마포구청 안심택배", "at": "11/24 14:05", "free_until": "11/26 14:05"}
    ko, ko_offset = render("delivery", "ko", code="48213907", **params)
    assert ko == ("[마포구청 안심택배] 택배가 도착했습니다(11/24 14:05).\n인증번호 48213907\n"
                  "11/26 14:05까지 무료 보관. 번호를 남에게 알려주지 마세요.")
    assert ko[ko_offset:ko_offset + 8] == "48213907"
    en, en_offset = render("delivery", "en", code="48213907", **params)
    assert en == ("[마포구청 안심택배] Parcel delivered 11/24 14:05. Code 48213907. "
                  "Free storage until 11/26 14:05. Do not share this code.")
    assert en[en_offset:en_offset + 8] == "48213907"


def test_other_snapshots() -> None:
    site = "마포구청 안심택배"
    fee = format_amount(1000, "KRW", "ko")
    assert render("reminder", "ko", site=site, at="11/24 14:05", free_until="11/26 14:05", fee=fee,
                  deadline="12/01 14:05") == (
        "[마포구청 안심택배] 11/24 14:05 도착한 택배를 찾아가세요. 무료 보관 11/26 14:05까지, 현재 보관료 1,000원. "
        "12/01 14:05 이후 반송됩니다. 인증번호는 도착 문자를 확인하세요.", None)
    assert render("reminder", "en", site="Mapo", at="11/24 14:05", free_until="11/26 14:05",
                  fee=format_amount(1000, "KRW", "en"), deadline="12/01 14:05")[0] == (
        "[Mapo] From 11/24 14:05: collect by 12/01 14:05. Free until 11/26 14:05, fee now KRW 1,000. "
        "Code in delivery SMS.")
    assert render("expiry", "ko", site=site, at="11/24 14:05")[0] == (
        "[마포구청 안심택배] 11/24 14:05 도착한 택배의 보관기간이 지나 발송처로 반송됩니다. "
        "인증번호는 더 이상 쓸 수 없습니다.")
    assert render("return", "en", site="Mapo")[0] == (
        "[Mapo] Your uncollected parcel was taken back by the carrier. Please contact the carrier.")


def test_no_template_asks_for_a_name_or_a_compartment() -> None:
    for texts in TEMPLATES.values():
        for text in texts.values():
            for private in ("{name", "{recipient", "{compartment", "{label", "{phone"):
                assert private not in text


def test_an_unknown_language_falls_back_to_english() -> None:
    assert _render("return", "ja") == _render("return", "en")


def test_times_are_in_the_site_time_zone() -> None:
    at = datetime(2026, 11, 24, 5, 5, tzinfo=UTC)
    assert local_time(at, "Asia/Seoul") == "11/24 14:05"
    assert local_time(at, "Europe/London") == "11/24 05:05"
