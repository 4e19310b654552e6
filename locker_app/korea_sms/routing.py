"""Which sender a message goes through: the site's own choice, else its country's, else the default.

LOCKER_SMS_SENDER_BY_COUNTRY (`KR=solapi`) names a sender per country; a site's `sms_sender` column
(`create-site --sms-sender`, `set-site-sender`, the site CSV) overrides its country; everything else goes
through LOCKER_SMS_BACKEND (Twilio in production), which is also the sender of messages with no site and of
messages to non-Korean numbers that would otherwise go through the domestic provider.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ..sms.senders import SendResult, SmsError, SmsSender
from .route import Route

log = logging.getLogger(__name__)

SENDER_NAMES = ("console", "twilio", "solapi")


def parse_by_country(raw: str | None) -> dict[str, str]:
    """`KR=solapi,JP=twilio` -> {"KR": "solapi", "JP": "twilio"}."""
    table: dict[str, str] = {}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        country, sep, name = item.partition("=")
        country, name = country.strip().upper(), name.strip().lower()
        if not sep or len(country) != 2 or name not in SENDER_NAMES:
            raise ValueError(f"LOCKER_SMS_SENDER_BY_COUNTRY: {item.strip()!r} is not CC=" + "|".join(SENDER_NAMES))
        table[country] = name
    return table


class RoutingSender:
    """A sender made of senders. Holds no state of its own beyond them, so it is as thread-safe as they are."""

    def __init__(self, senders: Mapping[str, SmsSender], default: str, by_country: Mapping[str, str]) -> None:
        self.senders = dict(senders)
        self.default = default
        self.by_country = dict(by_country)

    def name_for(self, route: Route | None) -> str:
        if route is None:
            return self.default
        if route.site_sender:
            return route.site_sender
        return self.by_country.get((route.country or "").upper(), self.default)

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        return self.send_routed(to, body, status_callback, None)

    def send_routed(self, to: str, body: str, status_callback: str | None, route: Route | None) -> SendResult:
        name = self.name_for(route)
        if name == "solapi" and not to.startswith("+82"):
            # A foreign phone at a Korean site: the domestic provider's point is Korean phones' trust, and its
            # numbers are domestic ones; the default sender reaches the rest of the world.
            name = self.default
        sender = self.senders.get(name)
        if sender is None:
            # A site set to a sender this deployment has no credentials for: retried, and loud, until it has.
            log.error("SMS sender %r is not configured (a site or LOCKER_SMS_SENDER_BY_COUNTRY names it)", name)
            raise SmsError(f"sender {name} is not configured", temporary=True)
        return send_routed(sender, to, body, status_callback, route)

    def redact(self, sid: str) -> None:
        name = "solapi" if sid.startswith("solapi:") else "console" if sid.startswith("console-") else "twilio"
        sender = self.senders.get(name) or self.senders[self.default]
        sender.redact(sid)


def send_routed(sender: SmsSender, to: str, body: str, status_callback: str | None, route: Route | None) -> SendResult:
    """Hand a message to a sender with its route when the sender can use one (the sms/sending.py seam)."""
    routed: Any = getattr(sender, "send_routed", None)
    if routed is not None and route is not None:
        result: SendResult = routed(to, body, status_callback, route)
        return result
    return sender.send(to, body, status_callback)


def with_routes(config: Mapping[str, Any], base: SmsSender) -> SmsSender:
    """The configured sender, wrapped in a RoutingSender when a second sender is configured."""
    by_country = parse_by_country(config.get("SMS_SENDER_BY_COUNTRY"))
    if not config.get("SOLAPI_API_KEY"):
        return base
    from .solapi_sender import SolapiSender, parse_templates

    solapi = SolapiSender(config["SOLAPI_API_KEY"], config["SOLAPI_API_SECRET"],
                          from_number=config["SOLAPI_FROM_NUMBER"], base_url=config.get("SOLAPI_BASE_URL"),
                          pf_id=config.get("SOLAPI_KAKAO_PF_ID"),
                          templates=parse_templates(config.get("SOLAPI_KAKAO_TEMPLATES")))
    default = config["SMS_BACKEND"]
    return RoutingSender({default: base, "solapi": solapi}, default, by_country)
