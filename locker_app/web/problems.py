"""Errors as application/problem+json (RFC 9457) with a stable `type` slug; never a stack trace."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from ..services.errors import ServiceError

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 3600
_HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "body-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def problem(status: int, slug: str, title: str, detail: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class Unauthorized(ServiceError):
    status = 401
    slug = "unauthorized"
    title = "A valid bearer token is required"


class UnsupportedMediaType(ServiceError):
    status = 415
    slug = "unsupported-media-type"
    title = "Send the body as application/json"


class InvalidJson(ServiceError):
    status = 400
    slug = "invalid-json"
    title = "The body is not valid JSON"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        headers.update(exc.extra.pop("headers", {}))
        if exc.status == 429:
            # The document promises Retry-After on every 429; a limit that does not lift by itself soon
            # (resend-limit, sms-cap-reached) says an hour.
            headers.setdefault("Retry-After", str(DEFAULT_RETRY_AFTER))
        return problem(exc.status, exc.slug, exc.title, exc.detail, headers=headers, **exc.extra)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        headers = {}
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        if status == 429:
            headers["Retry-After"] = str(DEFAULT_RETRY_AFTER)
        return problem(status, _HTTP_SLUGS.get(status, "http-error"), exc.name, exc.description,
                       headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return problem(500, "internal-error", "Something went wrong on our side",
                       "the request was not carried out; it is safe to retry")
