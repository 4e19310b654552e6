"""What a Korean phone shows: every template in both languages at its longest, measured in EUC-KR bytes with the
carrier's "[Web발신]" line, fits the channel chosen for it; SMS or LMS is chosen by that measure."""

from __future__ import annotations

import pytest

from locker_app.korea_sms.sizing import (
    ALIMTALK_MAX_CHARS,
    LMS_MAX_BYTES,
    SMS_MAX_BYTES,
    channel_for,
    euckr_bytes,
    shown_bytes,
)
from locker_app.services.policy import LIMITS, format_amount
from locker_app.services.provisioning import SMS_NAME_MAX
from locker_app.sms.templates import TEMPLATES, render

LONGEST_SITE = "가" * SMS_NAME_MAX  # Hangul: 2 bytes each, the most a character costs in EUC-KR
LONGEST_TIME = "12/31 23:59"
# The most a parcel can owe: the largest daily fee for the longest storage (policy LIMITS).
LONGEST_FEE_DAYS = LIMITS["expiry_days"].high
LONGEST_FEE = LIMITS["fee_per_day"].high * LONGEST_FEE_DAYS


def _params(kind: str, language: str) -> dict[str, str]:
    fee = max((format_amount(LONGEST_FEE, currency, language) for currency in ("KRW", "USD", "EUR", "JPY")),
              key=euckr_bytes)
    return {
        "delivery": {"site": LONGEST_SITE, "at": LONGEST_TIME, "free_until": LONGEST_TIME},
        "reminder": {"site": LONGEST_SITE, "at": LONGEST_TIME, "free_until": LONGEST_TIME, "fee": fee,
                     "deadline": LONGEST_TIME},
        "expiry": {"site": LONGEST_SITE, "at": LONGEST_TIME},
        "return": {"site": LONGEST_SITE},
    }[kind]


def _longest(kind: str, language: str) -> str:
    code = "12345678" if kind == "delivery" else None
    return render(kind, language, code=code, **_params(kind, language))[0]


def test_the_measure_counts_hangul_twice_and_the_web_prefix() -> None:
    assert euckr_bytes("abc") == 3
    assert euckr_bytes("택배") == 4
    assert shown_bytes("") == 10  # "[Web발신]" (9 bytes) and its line break
    assert shown_bytes("가") == 12


def test_sms_or_lms_is_chosen_by_the_measured_size_prefix_included() -> None:
    fits = "a" * (SMS_MAX_BYTES - 10)  # 80 bytes of text + 10 of prefix
    assert channel_for(fits) == "SMS"
    assert channel_for(fits + "a") == "LMS"
    assert channel_for("가" * 40) == "SMS"
    assert channel_for("가" * 41) == "LMS"  # 45 Hangul would fit 90 bytes without the prefix: the prefix counts
    assert channel_for("a" * (LMS_MAX_BYTES - 10)) == "LMS"
    with pytest.raises(ValueError):
        channel_for("a" * (LMS_MAX_BYTES - 9))


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_template_at_its_longest_fits_its_channel(kind: str, language: str) -> None:
    text = _longest(kind, language)
    channel = channel_for(text)  # raises past an LMS
    limit = SMS_MAX_BYTES if channel == "SMS" else LMS_MAX_BYTES
    assert shown_bytes(text) <= limit, (kind, language, shown_bytes(text))
    assert len(text) <= ALIMTALK_MAX_CHARS  # and as a 알림톡
    assert "\U0001f4e6" not in text and all(ord(ch) <= 0xFFFF for ch in text)  # nothing EUC-KR cannot carry
    text.encode("cp949")  # every character has an EUC-KR/CP949 form


def test_the_same_template_goes_as_sms_or_lms_by_what_the_site_name_makes_it() -> None:
    short = render("return", "ko", site="망원")[0]
    assert (shown_bytes(short), channel_for(short)) == (89, "SMS")
    assert channel_for(_longest("return", "ko")) == "LMS"
    # With a code, two times and a site name, the delivery text never fits 90 bytes: it goes whole, as LMS.
    shortest = render("delivery", "ko", code="12345678", site="망원", at="1/1 0:00", free_until="1/3 0:00")[0]
    assert channel_for(shortest) == "LMS"
