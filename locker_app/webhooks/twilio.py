"""Twilio's status callbacks: check the signature, then move the message's status forward."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request

from ..extensions import current_session
from ..openapi import schemas as io
from ..openapi.contract import contract
from ..services.errors import Forbidden, InvalidInput
from ..sms.status import apply_status
from ..web.transaction import commit, now

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


class BadSignature(Forbidden):
    slug = "bad-signature"
    title = "The request is not signed by Twilio"


def signed_url() -> str:
    """The address Twilio signed: the public one when we sit behind a proxy that rewrites host or scheme."""
    public = current_app.config.get("PUBLIC_URL")
    if not public:
        return request.url
    path = request.full_path
    return public + (path[:-1] if path.endswith("?") else path)


def check_signature() -> None:
    """Auth Token and HMAC-SHA1 by default; when a Twilio Webhook Rule signs with a SharedKey, Twilio says
    so in X-Twilio-Webhooks-Signature-Settings and we check with that key's secret and algorithm."""
    from twilio.request_validator import RequestValidator

    signature = request.headers.get("X-Twilio-Signature", "")
    settings = request.headers.get("X-Twilio-Webhooks-Signature-Settings")
    url = signed_url()
    if not settings:
        token = current_app.config.get("TWILIO_AUTH_TOKEN")
        valid = bool(token and signature and RequestValidator(token).validate(url, request.form, signature))
    else:
        secret = current_app.config.get("TWILIO_WEBHOOK_SHARED_KEY_SECRET")
        if not secret:
            log.warning("a status callback is signed with a SharedKey; set TWILIO_WEBHOOK_SHARED_KEY_SECRET")
        valid = bool(secret and signature and _valid_with_shared_key(secret, url, signature, settings))
    if not valid:
        raise BadSignature("the X-Twilio-Signature header does not match this request")


def _valid_with_shared_key(secret: str, url: str, signature: str, settings: str) -> bool:
    try:  # SharedKey signatures need a Twilio SDK that knows them (get_signature_algorithm)
        from twilio.request_validator import RequestValidator, get_signature_algorithm
    except ImportError:
        log.warning("this Twilio SDK cannot check SharedKey signatures; upgrade twilio")
        return False
    validator = RequestValidator(secret)
    return bool(validator.validate(url, request.form, signature, algorithm=get_signature_algorithm(settings)))


@bp.post("/twilio/status")
@contract("Twilio status callback (signed with X-Twilio-Signature)", auth=None, form=io.TwilioStatusForm,
          responses={204: None, 403: "problem"})
def twilio_status() -> Response:
    check_signature()
    sid = request.form.get("MessageSid", "")
    status = request.form.get("MessageStatus", "")
    if not sid or not status:
        raise InvalidInput("MessageSid and MessageStatus are required")
    raw_code = request.form.get("ErrorCode", "")
    error_code = int(raw_code) if raw_code.isascii() and raw_code.isdigit() else None
    moved = apply_status(current_session(), now(), sid, status.lower(), error_code)
    commit()
    log.debug("status callback %s for %s: %s", status, sid, "applied" if moved else "no change")
    return Response(status=204)
