"""Message texts in Korean and English, with times in the site's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

_CODE = "\x00CODE\x00"

TEMPLATES: dict[str, dict[str, str]] = {
    "delivery": {
        "ko": "[{site}] 택배 도착 {at}\n인증번호 {code}\n{free_until}까지 무료 보관",
        "en": "[{site}] Parcel delivered {at}. Code {code}. Free storage until {free_until}.",
    },
    # No code here: codes are kept only hashed, so a reminder points back to the delivery SMS.
    "reminder": {
        "ko": "[{site}] {at} 도착한 택배를 찾아가세요. 무료 보관 {free_until}까지, 현재 보관료 {fee}. "
              "{deadline} 이후 반송됩니다. 인증번호는 도착 문자를 확인하세요.",
        "en": "[{site}] Your parcel delivered {at} is waiting. Free until {free_until}; fee now: {fee}. "
              "Returned to sender after {deadline}. Use the code from the delivery SMS.",
    },
    "expiry": {
        "ko": "[{site}] {at} 도착한 택배의 보관기간이 지나 발송처로 반송됩니다. 인증번호는 더 이상 쓸 수 없습니다.",
        "en": "[{site}] Your parcel delivered {at} was not collected in time and goes back to the sender. "
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
