"""Per request: an id (X-Request-ID, honoured when sane, made up otherwise, and returned), the
request counters and latency histogram for /metrics, and one access log line."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, current_app, g, request
from prometheus_client import Counter, Histogram

from .logs import mask

access_log = logging.getLogger("locker.access")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Labelled by the route's rule (`/api/v1/parcels/<parcel_id>`), never the path, so ids do not make series.
REQUESTS = Counter("locker_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "locker_http_request_duration_seconds", "Time to answer a request", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def route_label() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = route_label()
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(request.method, route).observe(seconds)
    if current_app.config.get("ACCESS_LOG"):
        # The path, never the query string: the kiosk's setup address carries its token there.
        access_log.info("%s %s %s", request.method, mask(request.path), response.status_code,
                        extra={"method": request.method, "route": route, "path": mask(request.path),
                               "status": response.status_code, "duration_ms": round(seconds * 1000, 1),
                               "remote_addr": request.remote_addr})
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
