"""Checking the domestic sender's settings at start, so a typo fails the deploy and not the first deposit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def check_domestic_settings(settings: Mapping[str, Any]) -> None:
    from .routing import parse_by_country
    from .solapi_sender import parse_templates

    try:
        by_country = parse_by_country(settings.get("SMS_SENDER_BY_COUNTRY"))
        parse_templates(settings.get("SOLAPI_KAKAO_TEMPLATES"))
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    wanted = "solapi" in by_country.values() or settings.get("SOLAPI_API_KEY")
    if not wanted:
        return
    missing = [name for name in ("SOLAPI_API_KEY", "SOLAPI_API_SECRET", "SOLAPI_FROM_NUMBER") if not settings.get(name)]
    if missing:
        raise RuntimeError("the solapi SMS sender needs " + ", ".join(missing))
    if settings.get("SOLAPI_KAKAO_TEMPLATES") and not settings.get("SOLAPI_KAKAO_PF_ID"):
        raise RuntimeError("SOLAPI_KAKAO_TEMPLATES needs SOLAPI_KAKAO_PF_ID (the 알림톡 channel)")
