"""What a SOLAPI refusal means for the message: retry it, give up on it, or send the 알림톡 as SMS/LMS instead.

The SDK (solapi 5.x, lib/fetcher.py) raises a bare `Exception(errorCode, errorMessage)` for an HTTP 4xx,
`Exception("UnknownError", body)` for a 5xx, httpx's own errors when the API cannot be reached or is slow,
and `MessageNotReceivedError` (with each message's statusCode and statusMessage) when the API took the
request but registered none of its messages. SOLAPI's reference does not list its error codes in a form we
could pin here, so the classes below match the code or message by what it is about (the sender number, the
template, the balance), in English and Korean; docs/deploy.md asks the operator to check a real refusal of
each kind against the console once, and tests/fakes/solapi.py answers the way this expects.
"""

from __future__ import annotations

from dataclasses import dataclass

# Fragments of codes and messages, lower-cased. Order matters: a message about the sender is about the sender
# even if it also mentions the template.
_SENDER = ("senderid", "sender", "발신번호")
_TEMPLATE = ("template", "템플릿")
_CREDIT = ("balance", "잔액", "point", "포인트", "credit")
_RECIPIENT = ("invalidphonenumber", "수신번호", "recipient", "blocked", "수신거부")

TEMPORARY = "temporary"  # retried with back-off (the relay's MAX_ATTEMPTS)
PERMANENT = "permanent"  # the message fails now and flags its parcel
TEMPLATE = "template"  # the 알림톡 was refused: send the same text as SMS/LMS, once


@dataclass(frozen=True)
class Refusal:
    kind: str  # TEMPORARY | PERMANENT | TEMPLATE
    what: str  # sender | template | credit | recipient | server | other (for logs and events, no personal data)
    code: int | None  # a numeric statusCode, for messages.error_code


def classify(code: str | None, message: str | None) -> Refusal:
    text = f"{code or ''} {message or ''}".lower()
    numeric = int(code) if code and code.isascii() and code.isdigit() else None
    if any(part in text for part in _SENDER):
        # An unregistered 발신번호 needs paperwork with the provider (days), not a retry within the hour: the
        # parcel is flagged at once so the courier and admins see that the resident was not told.
        return Refusal(PERMANENT, "sender", numeric)
    if any(part in text for part in _TEMPLATE):
        return Refusal(TEMPLATE, "template", numeric)
    if any(part in text for part in _CREDIT):
        # Out of credit: an operator tops up, and the messages go out on the next attempts.
        return Refusal(TEMPORARY, "credit", numeric)
    if any(part in text for part in _RECIPIENT):
        return Refusal(PERMANENT, "recipient", numeric)
    if (code or "") == "UnknownError":  # the SDK's name for any 5xx
        return Refusal(TEMPORARY, "server", numeric)
    # Anything else (credentials, a code we do not know): retried, as the Twilio sender does, so an operator can
    # fix the configuration before the messages give up.
    return Refusal(TEMPORARY, "other", numeric)
