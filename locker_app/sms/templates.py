"""Message texts in Korean and English, with times in the site's time zone.

Every text names the site by its short SMS name and nothing about the resident or the door: an SMS
can be read over a shoulder or on a lock screen. The Korean delivery text must stay within two
UCS-2 segments (134 characters) with a 20-character site name; tests/unit/test_sms_templates.py
counts every template.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

_CODE = "\x00CODE\x00"

# Parameters by kind: delivery {site, at, code, free_until}; reminder {site, at, free_until, fee,
# deadline}; expiry {site, at}; return {site}. `at` is always when the parcel was delivered, and
# `fee` is the amount owed with its unit (services.policy.format_amount).
TEMPLATES: dict[str, dict[str, str]] = {
    "delivery": {
        "ko": "[{site}] 택배가 도착했습니다({at}).\n인증번호 {code}\n"
              "{free_until}까지 무료 보관. 번호를 남에게 알려주지 마세요.",
        "en": "[{site}] Parcel delivered {at}. Code {code}. Free storage until {free_until}. "
              "Do not share this code.",
    },
    "return": {
        "ko": "[{site}] 보관 기간이 지난 택배를 택배사가 회수했습니다. 문의는 택배사로 해주세요.",
        "en": "[{site}] Your uncollected parcel was taken back by the carrier. Please contact the carrier.",
    },
    # No code here: codes are kept only hashed, so a reminder points back to the delivery SMS.
    "reminder": {
        "ko": "[{site}] {at} 도착한 택배를 찾아가세요. 무료 보관 {free_until}까지, 현재 보관료 {fee}. "
              "{deadline} 이후 반송됩니다. 인증번호는 도착 문자를 확인하세요.",
        "en": "[{site}] From {at}: collect by {deadline}. Free until {free_until}, fee now {fee}. "
              "Code in delivery SMS.",
    },
    "expiry": {
        "ko": "[{site}] {at} 도착한 택배의 보관기간이 지나 발송처로 반송됩니다. 인증번호는 더 이상 쓸 수 없습니다.",
        "en": "[{site}] Parcel from {at} not collected in time; it goes back to the sender. "
              "Its code no longer works.",
    },
}


def local_time(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%m/%d %H:%M")


def render(kind: str, language: str, *, code: str | None = None, **params: str) -> tuple[str, int | None]:
    """The text and where the code starts in it (so the outbox can mask it later)."""
    template = TEMPLATES[kind].get(language) or TEMPLATES[kind]["en"]
    text = template.format(code=_CODE if code is not None else "", **params)
    if code is None:
        return text, None
    offset = text.index(_CODE)
    return text.replace(_CODE, code), offset
