"""No `Server` header naming our software and its version (Werkzeug/x Python/y, gunicorn): it tells an
attacker which advisories to try and tells a client nothing it needs.

Neither server offers a setting for it: Werkzeug's request handler (`flask run`, the tests' servers)
sends `Server` from the standard library's `send_response`, and gunicorn writes `Server: gunicorn` in
`Response.default_headers` whatever the application answers. Both are patched once, here, to drop it:
from `create_app` (every process that serves the app, so also gunicorn's workers) and from
deploy/gunicorn.conf.py. gunicorn's `SERVER_SOFTWARE` (in the WSGI environ and the master's environment)
never reaches a client, but is set to a name without a version for the same reason.
"""

from __future__ import annotations

import os
import sys
from typing import Any

_NEUTRAL = "locker"


def _hide_in_werkzeug() -> None:
    from werkzeug.serving import WSGIRequestHandler

    if getattr(WSGIRequestHandler, "_locker_no_server", False):
        return
    original = WSGIRequestHandler.send_header

    def send_header(self: Any, keyword: str, value: str) -> None:
        if keyword.lower() != "server":
            original(self, keyword, value)

    WSGIRequestHandler.send_header = send_header  # type: ignore[method-assign]
    WSGIRequestHandler._locker_no_server = True  # type: ignore[attr-defined]


def _hide_in_gunicorn() -> None:
    wsgi = sys.modules.get("gunicorn.http.wsgi")
    if wsgi is None or getattr(wsgi.Response, "_locker_no_server", False):
        return
    original = wsgi.Response.default_headers

    def default_headers(self: Any) -> list[str]:
        return [line for line in original(self) if not line.lower().startswith("server:")]

    wsgi.Response.default_headers = default_headers
    wsgi.Response._locker_no_server = True
    setattr(wsgi, "SERVER_SOFTWARE", _NEUTRAL)  # noqa: B010 - the environ's SERVER_SOFTWARE in each request
    if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        os.environ["SERVER_SOFTWARE"] = _NEUTRAL


def hide_server_headers() -> None:
    """Idempotent; gunicorn is patched only where it is already imported (it is in its own processes)."""
    _hide_in_werkzeug()
    _hide_in_gunicorn()
