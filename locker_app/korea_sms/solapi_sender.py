"""The domestic sender for Korea: SOLAPI through its own Python SDK (`solapi` on PyPI).

Why SOLAPI and its SDK (docs/adr/0013-domestic-sms-provider.md has the whole record):
- one API for SMS, LMS and KakaoTalk 알림톡, with SOLAPI's own SMS/LMS fallback when a 알림톡 cannot be
  delivered (kakaoOptions.disableSms false), so the text is not held by us a second time for a later retry;
- a maintained SDK published by the provider (solapi 5.x, MIT; httpx and pydantic underneath) whose
  `SolapiMessageService.base_url` is a plain attribute, so tests point the real SDK at a local fake of the
  HTTP API (tests/fakes/solapi.py) exactly as the Twilio tests point Twilio's SDK at theirs;
- the service object keeps no connection or other state between calls (each call opens its own httpx
  client), so one object is safe to share between the relay's threads. The cost is a new connection (TLS
  handshake) per message, and a timeout we cannot set: httpx's default of 5 seconds, after which the send
  is a temporary failure and retried.
The alternatives (NHN Cloud Notification, Aligo, Popbill) and why not are in the ADR.

What the phone shows decides the channel: SMS when the text with the carrier's "[Web발신]" line fits 90
EUC-KR bytes, LMS up to 2,000 (sizing.py); 알림톡 where the message's kind and language have an approved
template configured (SOLAPI_KAKAO_TEMPLATES) and a channel (SOLAPI_KAKAO_PF_ID). A 알림톡 the provider refuses
outright (template not approved, text not matching it) goes out at once as SMS/LMS instead, once; one it
accepts but cannot deliver, SOLAPI itself resends as SMS/LMS, and its delivery report says how that ended.
"""

from __future__ import annotations

import logging
from typing import Any

from ..sms.senders import SendResult, SmsError
from .route import Route
from .sizing import ALIMTALK_MAX_CHARS, channel_for
from .solapi_errors import TEMPLATE, TEMPORARY, Refusal, classify

log = logging.getLogger(__name__)

SID_PREFIX = "solapi:"  # provider_sid is unique over all senders; the prefix also says whose message it is


def domestic_number(e164: str) -> str:
    """+821012345678 -> 01012345678: SOLAPI takes Korean numbers in the domestic form (country 82 is its default)."""
    if e164.startswith("+82"):
        return "0" + e164[3:]
    return e164.lstrip("+")


def parse_templates(raw: str | None) -> dict[tuple[str, str], str]:
    """`delivery.ko=KA01TP...,reminder.ko=KA01TP...` -> {("delivery", "ko"): "KA01TP..."}."""
    templates: dict[tuple[str, str], str] = {}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        key, sep, template_id = item.partition("=")
        kind, dot, language = key.strip().partition(".")
        if not sep or not dot or not kind or not language or not template_id.strip():
            raise ValueError(f"SOLAPI_KAKAO_TEMPLATES: {item.strip()!r} is not kind.language=TEMPLATE_ID")
        templates[(kind, language)] = template_id.strip()
    return templates


class SolapiSender:
    def __init__(self, api_key: str, api_secret: str, *, from_number: str, base_url: str | None = None,
                 pf_id: str | None = None, templates: dict[tuple[str, str], str] | None = None) -> None:
        from solapi import SolapiMessageService

        self._service = SolapiMessageService(api_key, api_secret)
        if base_url:
            self._service.base_url = base_url.rstrip("/")
        self.from_number = from_number.replace("-", "")
        self.pf_id = pf_id or None
        self.templates = dict(templates or {})

    # The sender interface (sms/senders.SmsSender): without a route there is no template to look up.
    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        return self.send_routed(to, body, status_callback, None)

    def send_routed(self, to: str, body: str, status_callback: str | None, route: Route | None) -> SendResult:
        """status_callback is Twilio's: SOLAPI's reports go to the webhook set in its console (docs/deploy.md)."""
        template_id = self._template_for(route)
        if template_id is not None and len(body) <= ALIMTALK_MAX_CHARS:
            try:
                return self._send(body, to, "ATA", template_id)
            except _Refused as refused:
                if refused.refusal.kind != TEMPLATE:
                    raise refused.as_sms_error() from None
                # The one fallback: the same text as SMS/LMS, now, while we still hold it.
                log.warning("알림톡 template %s refused (%s); sending as SMS/LMS", template_id, refused.detail)
        try:
            return self._send(body, to, channel_for(body), None)
        except _Refused as refused:
            raise refused.as_sms_error() from None

    def redact(self, sid: str) -> None:
        # The SDK has no call that erases a sent message's text; SOLAPI keeps its message log for six months.
        raise SmsError("SOLAPI cannot erase a sent message's text", temporary=False)

    def _template_for(self, route: Route | None) -> str | None:
        if self.pf_id is None or route is None or route.language is None:
            return None
        return self.templates.get((route.kind, route.language))

    def _send(self, body: str, to: str, channel: str, template_id: str | None) -> SendResult:
        import httpx
        from pydantic import ValidationError
        from solapi.error.MessageNotReceiveError import MessageNotReceivedError
        from solapi.model import KakaoOption, MessageType, RequestMessage

        kakao = (KakaoOption(pf_id=self.pf_id, template_id=template_id, disable_sms=False)
                 if template_id is not None else None)
        message = RequestMessage(from_=self.from_number, to=domestic_number(to), text=body,
                                 type=MessageType(channel), auto_type_detect=False, kakao_options=kakao)
        try:
            response = self._service.send(message)
        except MessageNotReceivedError as exc:  # the API answered but registered no message
            failed: Any = exc.failed_messages[0] if exc.failed_messages else None
            code = getattr(failed, "status_code", None)
            detail = getattr(failed, "status_message", None)
            raise _Refused(classify(code, detail), f"{channel} not registered: {code}") from None
        except httpx.TimeoutException:
            raise SmsError("SOLAPI did not answer in time", temporary=True) from None
        except httpx.HTTPError as exc:
            raise SmsError(f"SOLAPI could not be reached: {type(exc).__name__}", temporary=True) from None
        except ValidationError:
            raise SmsError("SOLAPI's answer was not understood", temporary=True) from None
        except Exception as exc:  # the SDK's Exception(errorCode, errorMessage) for 4xx and 5xx
            code, detail = (str(exc.args[0]) if exc.args else None), (str(exc.args[1]) if len(exc.args) > 1 else None)
            raise _Refused(classify(code, detail), f"{channel} refused: {code}") from None
        listed = response.message_list or []
        message_id = listed[0].message_id if listed else None
        if not message_id:  # registered, but the answer names no message we could follow
            raise SmsError("SOLAPI's answer names no message", temporary=True)
        return SendResult(sid=SID_PREFIX + message_id, status="queued", segments=1)


class _Refused(Exception):
    def __init__(self, refusal: Refusal, detail: str) -> None:
        super().__init__(detail)
        self.refusal = refusal
        self.detail = detail

    def as_sms_error(self) -> SmsError:
        # A template refusal of an SMS/LMS (no template in it) will not cure itself: permanent, like PERMANENT.
        return SmsError(f"SOLAPI: {self.detail} ({self.refusal.what})", temporary=self.refusal.kind == TEMPORARY,
                        code=self.refusal.code)
