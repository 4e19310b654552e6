"""What a Korean phone shows, measured in bytes: SMS up to 90 bytes, LMS up to 2,000, the carrier's prefix included.

Korean carriers count SMS and LMS in EUC-KR bytes (Hangul 2, ASCII 1). A message sent from a web or API
platform reaches the phone with "[Web발신]" on a line of its own in front, and that line is part of what the
carrier counts, so the budget for our text is 90 minus the prefix line. We count any character outside ASCII as
2 bytes, which is what EUC-KR (and its superset CP949, which carriers actually accept) gives for Hangul and
Hanja; a character EUC-KR cannot encode at all (an emoji) would be refused or mangled by the carrier, and
templates hold none (tests/unit/test_korea_sms_sizing.py).
"""

from __future__ import annotations

WEB_PREFIX = "[Web발신]\n"
SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
ALIMTALK_MAX_CHARS = 1000  # Kakao's limit for a 알림톡 body (characters, not bytes)


def euckr_bytes(text: str) -> int:
    """Bytes in EUC-KR/CP949: 1 for ASCII, 2 for everything else (Hangul, Hanja, symbols)."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


def shown_bytes(text: str) -> int:
    """What the carrier counts: our text with its "[Web발신]" line in front."""
    return euckr_bytes(WEB_PREFIX + text)


def channel_for(text: str) -> str:
    """SMS when the text with its prefix fits 90 bytes, LMS up to 2,000; longer is a bug in a template."""
    size = shown_bytes(text)
    if size <= SMS_MAX_BYTES:
        return "SMS"
    if size <= LMS_MAX_BYTES:
        return "LMS"
    raise ValueError(f"{size} bytes is more than an LMS holds ({LMS_MAX_BYTES})")
