"""No `Server` header naming Werkzeug, Python or a version from the app's own server (`flask run`, the
tests' servers); gunicorn's is tested in test_gunicorn_workers.py."""

from __future__ import annotations

import threading

import requests
from werkzeug.serving import make_server


def test_werkzeug_names_no_server(make_app):
    app = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        for path in ("/healthz", "/openapi.json", "/no-such-page", "/kiosk/"):
            answer = requests.get(base + path, timeout=30)
            assert "Server" not in answer.headers, (path, answer.headers.get("Server"))
            assert answer.headers.get("Date")  # the rest of the status line's headers stay
    finally:
        server.shutdown()
