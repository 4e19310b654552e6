"""The agent's local HTTP server on 127.0.0.1:8765: the touchscreen page, its /kiosk/v1 calls, and
/agent/v1/status.

The standard library's ThreadingHTTPServer, not a web framework: it serves one browser on the same
machine, a handful of routes, and keeps the kiosk's install to pyserial and requests. A thread per
request, so a slow service call never holds the status endpoint the page polls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .answers import Answer, json_answer, problem
from .gateway import Gateway

log = logging.getLogger(__name__)

PAGE_DIR = Path(__file__).resolve().parent.parent  # kiosk/: index.html, js/, kiosk.css
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}
# The same policy the service sends with the page.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# Tells the page it runs behind the agent (no token of its own; the agent adds it). A meta element,
# because the CSP allows no inline script.
AGENT_META = b'<meta name="locker-agent" content="1">'
MAX_BODY = 64 * 1024


class AgentServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: Gateway, status: Callable[[], dict[str, Any]],
                 page_dir: Path = PAGE_DIR) -> None:
        self.gateway = gateway
        self.status = status
        self.page_dir = page_dir.resolve()
        super().__init__(address, Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class Handler(BaseHTTPRequestHandler):
    server: AgentServer
    protocol_version = "HTTP/1.1"
    timeout = 15  # a client that stops sending mid-request frees its thread

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        try:
            answer = self._route(method)
        except Exception:
            log.exception("agent request failed")
            answer = problem(500, "agent-error", "The locker agent failed", "Please try again.")
        self._send(answer, head_only=False)

    def _local(self) -> bool:
        # Only the kiosk's own browser: a page from elsewhere (or a DNS-rebound name) must not reach a
        # gateway that adds the kiosk token.
        host = self.headers.get("Host", "")
        port = self.server.port
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin not in (f"http://{host}",):
            return False
        return self.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")

    def _body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.isdigit() or int(length) > MAX_BODY:
            return None
        return self.rfile.read(int(length))

    def _route(self, method: str) -> Answer:
        # The body first, whatever the answer: left unread it would be taken for the next request on
        # this keep-alive connection.
        body = self._body()
        if body is None:
            self.close_connection = True
            return problem(413, "body-too-large", "The request body is too large")
        if not self._local():
            return problem(403, "forbidden", "Only the kiosk's own page may use the locker agent")
        parts = urlsplit(self.path)
        path = parts.path
        if "\x00" in path or "%00" in path:
            return problem(404, "not-found", "Not found")
        if path.startswith("/kiosk/v1/"):
            headers = {k: v for k, v in self.headers.items()}
            return self.server.gateway.forward(method, path, parts.query, body, headers)
        if path == "/agent/v1/status":
            if method != "GET":
                return problem(405, "method-not-allowed", "Method not allowed")
            return json_answer(200, self.server.status(), {"Cache-Control": "no-store"})
        if method != "GET":
            return problem(405, "method-not-allowed", "Method not allowed")
        return self._page(path)

    def _page(self, path: str) -> Answer:
        # The page at / (and at /kiosk/, where the service serves it), its files beside it.
        name = path.removeprefix("/kiosk").lstrip("/") or "index.html"
        if name.endswith("/"):
            name += "index.html"
        target = (self.server.page_dir / name).resolve()
        inside = (target.is_relative_to(self.server.page_dir)
                  and "locker_agent" not in target.relative_to(self.server.page_dir).parts)
        if not inside or target.suffix not in TYPES or not target.is_file():
            return problem(404, "not-found", "Not found")
        content = target.read_bytes()
        if target.name == "index.html":
            content = content.replace(b"<head>", b"<head>\n  " + AGENT_META, 1)
        kind = TYPES[target.suffix]
        return Answer(200, content, {"Content-Type": kind, "Content-Security-Policy": CSP,
                                     "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
                                     "Cache-Control": "no-cache"})

    def _send(self, answer: Answer, head_only: bool) -> None:
        try:
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if not head_only:
                self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def status_json(online: bool, last_sync: Any, doors: dict[str, str]) -> dict[str, Any]:
    return {"online": online,
            "last_sync": last_sync.isoformat().replace("+00:00", "Z") if last_sync else None,
            "doors": doors}

