"""Behind a reverse proxy: trust its X-Forwarded-* headers, and only as many hops as there are proxies."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops <= 0:
        # Without a proxy, a client could set X-Forwarded-For to anything; so nothing is trusted.
        return
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
