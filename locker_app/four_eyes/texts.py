"""What the recipient reads when an operator opened her compartment (sms/templates.py's style: the site's
short SMS name, the time in the site's zone, nothing about the resident or the parcel)."""

from __future__ import annotations

from datetime import datetime

from ..sms.templates import local_time

# Why an operator may open a compartment that holds a parcel; the free text stays in the audit trail.
CATEGORIES: dict[str, dict[str, str]] = {
    "resident-request": {"ko": "수령인 요청", "en": "your request"},
    "door-fault": {"ko": "문 고장", "en": "door fault"},
    "wrong-compartment": {"ko": "보관함 착오", "en": "wrong compartment"},
    "maintenance": {"ko": "점검", "en": "maintenance"},
    "safety": {"ko": "안전 점검", "en": "safety check"},
    "other": {"ko": "기타", "en": "other"},
}

REMOTE_OPEN: dict[str, str] = {
    "ko": "[{site}] 관리자가 {at}에 택배 보관함을 원격으로 열었습니다(사유: {category}). 문의는 관리사무소로 해주세요.",
    "en": "[{site}] An operator opened your parcel compartment remotely at {at} (reason: {category}).",
}


def remote_open_text(language: str, sms_name: str, timezone: str, at: datetime, category: str) -> str:
    lang = language if language in REMOTE_OPEN else "en"
    label = CATEGORIES.get(category, CATEGORIES["other"])[lang]
    return REMOTE_OPEN[lang].format(site=sms_name, at=local_time(at, timezone), category=label)
