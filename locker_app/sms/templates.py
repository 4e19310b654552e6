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
