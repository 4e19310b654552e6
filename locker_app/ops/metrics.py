"""/metrics for Prometheus.

Two sources, one page:
- what a web process sees itself (requests by route and status, latency): prometheus_client's metrics
  in this process, or, under gunicorn with PROMETHEUS_MULTIPROC_DIR set, summed over all its workers;
- what lives in the database (occupancy, the outbox, SMS failures, keypad locks, the scheduler's job
  runs): read at scrape time, so any web process on any host reports the same numbers, including the
  work of the scheduler, which is another process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator

from flask import Blueprint, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import current_session, db
from ..services import gauges
from ..web.transaction import now

log = logging.getLogger(__name__)
# The classic text format, which every Prometheus version reads (prometheus_client's newest default,
# version=1.0.0, only matters for names outside the classic character set; ours are inside it).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
bp = Blueprint("ops_metrics", __name__)


class _Fixed:
    """A collector over families computed already (the registry API wants an object with collect())."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def _timestamp(value: object) -> float | None:
    from datetime import datetime

    return value.timestamp() if isinstance(value, datetime) else None


def database_families() -> Iterator[Metric]:
    session, at = current_session(), now()

    compartments = GaugeMetricFamily("locker_compartments", "Compartments by site, size and state",
                                     labels=["site", "size", "state"])
    for site, size, state, count in gauges.occupancy(session):
        compartments.add_metric([site, size, state], count)
    yield compartments

    outbox = gauges.outbox(session, at)
    messages = GaugeMetricFamily("locker_outbox_messages", "SMS in the outbox by status", labels=["status"])
    for status, count in sorted(outbox["by_status"].items()):
        messages.add_metric([status], count)
    yield messages
    yield GaugeMetricFamily("locker_outbox_oldest_pending_age_seconds",
                            "Age of the oldest SMS not yet handed to the provider (0: none waiting)",
                            value=outbox["oldest_pending_age"])

    failed = GaugeMetricFamily("locker_sms_failed_messages",
                               "SMS that did not reach the phone, by the provider's error code",
                               labels=["error_code"])
    for code, count in gauges.sms_failures(session):
        failed.add_metric([code], count)
    yield failed

    keypads = gauges.keypads(session)
    locked = GaugeMetricFamily("locker_keypad_locked", "1 for each site whose keypad waits for an admin",
                               labels=["site"])
    for site in keypads["locked_sites"]:
        locked.add_metric([site], 1)
    yield locked
    yield CounterMetricFamily("locker_keypad_locks", "Keypads locked after too many wrong codes",
                              value=keypads["locks_total"])

    runs = CounterMetricFamily("locker_job_runs", "Scheduled job runs", labels=["job"])
    failures = CounterMetricFamily("locker_job_failures", "Scheduled job runs that failed", labels=["job"])
    duration = SummaryMetricFamily("locker_job_duration_seconds", "Time scheduled jobs took", labels=["job"])
    last = GaugeMetricFamily("locker_job_last_duration_seconds", "Time the last run of a job took", labels=["job"])
    success = GaugeMetricFamily("locker_job_last_success_timestamp_seconds",
                                "When a job last ran without error (Unix time)", labels=["job"])
    for row in gauges.job_runs(session):
        runs.add_metric([row.name], row.runs)
        failures.add_metric([row.name], row.failures)
        duration.add_metric([row.name], count_value=row.runs, sum_value=row.seconds_total)
        if row.last_seconds is not None:
            last.add_metric([row.name], row.last_seconds)
        when = _timestamp(row.last_success_at)
        if when is not None:
            success.add_metric([row.name], when)
    yield from (runs, failures, duration, last, success)


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


@bp.get("/metrics")
def metrics() -> Response:
    try:
        families = [*database_families(), GaugeMetricFamily("locker_database_up", "The database answered", value=1)]
    except SQLAlchemyError as exc:
        log.warning("metrics: database unreachable (%s)", type(exc).__name__)
        families = [GaugeMetricFamily("locker_database_up", "The database answered", value=0)]
    finally:
        db.session.rollback()
    body = generate_latest(_process_registry()) + generate_latest(_Fixed(families))
    response = Response(body, mimetype=None, content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response
