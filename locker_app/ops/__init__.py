"""Running in production: reverse proxy, request ids and access log, /readyz, /metrics."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import metrics, proxy, readiness, requests

    proxy.init_app(app)
    requests.init_app(app)
    app.register_blueprint(readiness.bp)
    app.register_blueprint(metrics.bp)
