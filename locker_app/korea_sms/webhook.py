"""SOLAPI's delivery reports: POST /webhooks/solapi/status?token=... (the URL set in SOLAPI's console).

SOLAPI does not sign its webhooks the way Twilio does, so the URL carries a secret of ours
(SOLAPI_WEBHOOK_TOKEN), compared in constant time; the log filter masks `token=` in logged URLs. The body
is SOLAPI's list of single reports, read with the SDK's own model (solapi.model.webhook.single_report).
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, request

from ..extensions import current_session
from ..openapi.contract import contract
from ..services.errors import Forbidden, InvalidInput
from ..web.transaction import commit, now
from .status import apply_report

log = logging.getLogger(__name__)

bp = Blueprint("solapi_webhooks", __name__, url_prefix="/webhooks/solapi")


class BadToken(Forbidden):
    slug = "bad-webhook-token"
    title = "The request does not carry this service's webhook token"


@bp.post("/status")
@contract("SOLAPI delivery reports (a JSON list; the URL carries ?token=SOLAPI_WEBHOOK_TOKEN)", auth=None,
          responses={204: None, 400: "problem", 403: "problem"})
def solapi_status() -> Response:
    expected = current_app.config.get("SOLAPI_WEBHOOK_TOKEN") or ""
    given = request.args.get("token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise BadToken("the token in the webhook URL does not match SOLAPI_WEBHOOK_TOKEN")
    from pydantic import ValidationError
    from solapi.model.webhook.single_report import SingleReportPayload

    try:
        reports = SingleReportPayload.model_validate(request.get_json(silent=True)).root
    except ValidationError:
        raise InvalidInput("the body is not a list of SOLAPI reports") from None
    moved = 0
    session, at = current_session(), now()
    for report in reports:
        data = report.data
        if data.message_id and data.status_code:
            moved += apply_report(session, at, data.message_id, data.status_code)
    commit()
    log.debug("SOLAPI reports: %d received, %d applied", len(reports), moved)
    return Response(status=204)
