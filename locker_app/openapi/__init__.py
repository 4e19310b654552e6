"""`/openapi.json` (built from the code) and `/docs` (Swagger UI from the swagger-ui-bundle package's own
files, so the docs work with no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, send_from_directory
from werkzeug.exceptions import NotFound

from .spec import build_spec

bp = Blueprint("openapi", __name__)

# Swagger UI sets inline styles and shows data: images; everything else comes from us.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parcel locker API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>
"""
_INIT = """window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  validatorUrl: null, presets: [SwaggerUIBundle.presets.apis]});
"""


def _assets_dir() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


def _docs_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@bp.get("/openapi.json")
def openapi_json() -> Response:
    cached: dict[str, Any] | None = current_app.extensions.get("locker.openapi")
    if cached is None:
        cached = current_app.extensions["locker.openapi"] = build_spec(current_app)
    return jsonify(cached)


@bp.get("/docs")
def docs() -> Response:
    return _docs_headers(Response(_PAGE, mimetype="text/html"))


@bp.get("/docs/init.js")
def docs_init() -> Response:
    return _docs_headers(Response(_INIT, mimetype="text/javascript"))


@bp.get("/docs/assets/<name>")
def docs_asset(name: str) -> Response:
    if name not in _ASSETS:
        raise NotFound()
    return _docs_headers(send_from_directory(_assets_dir(), name, max_age=3600))
