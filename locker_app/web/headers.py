"""Security headers on every answer. Pages that need their own (kiosk, admin, /docs) set them first;
these only fill in what is missing."""

from __future__ import annotations

from flask import Flask, Response

# JSON and anything else that sets no policy of its own: nothing may run, load or frame it.
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DEFAULTS = {
    "Content-Security-Policy": DEFAULT_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in DEFAULTS.items():
            response.headers.setdefault(name, value)
        return response
