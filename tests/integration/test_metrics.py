"""/metrics parses with Prometheus' own parser and moves when parcels, SMS, keypads and jobs do."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from locker_app.extensions import db
from locker_app.models import Site
from locker_app.services import keypad
from locker_app.sms.senders import SmsError
from tests.conftest import code_from
from tests.integration.sms_support import deposited

RESERVE = {"method": "POST", "route": "/api/v1/sites/<site_code>/reservations", "status": "201"}


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def run_jobs(app) -> None:
    result = app.test_cli_runner().invoke(args=["locker", "run-jobs"])
    assert result.exit_code == 0, result.output


def test_metrics_move_with_traffic(app, api, sms, clock):
    before = scrape(api.client)
    assert value(before, "locker_database_up") == 1
    assert value(before, "locker_compartments", site="MAPO-001", size="S", state="free") == 4
    assert value(before, "locker_outbox_oldest_pending_age_seconds") == 0

    deposited(api)
    clock.advance(seconds=90)
    waiting = scrape(api.client)
    assert value(waiting, "locker_http_requests_total", **RESERVE) == value(before, "locker_http_requests_total",
                                                                             **RESERVE) + 1
    route = {"method": "POST", "route": RESERVE["route"]}
    assert (value(waiting, "locker_http_request_duration_seconds_count", **route)
            == value(before, "locker_http_request_duration_seconds_count", **route) + 1)
    assert value(waiting, "locker_compartments", site="MAPO-001", size="S", state="occupied") == 1
    assert value(waiting, "locker_compartments", site="MAPO-001", size="S", state="free") == 3
    assert value(waiting, "locker_outbox_messages", status="pending") == 1
    assert value(waiting, "locker_outbox_oldest_pending_age_seconds") == 90

    run_jobs(app)  # the scheduler's work, counted in the database, shows in the web process's /metrics
    sent = scrape(api.client)
    assert value(sent, "locker_outbox_oldest_pending_age_seconds") == 0
    assert value(sent, "locker_job_runs_total", job="sms-relay") == 1
    assert value(sent, "locker_job_duration_seconds_count", job="expire-parcels") == 1
    assert value(sent, "locker_job_duration_seconds_sum", job="expire-parcels") > 0
    assert value(sent, "locker_job_last_success_timestamp_seconds", job="sms-relay") == clock().timestamp()

    assert api.pickup(code_from(sms.sent[0]["body"])).status_code == 200
    assert api.pickup("00000000").status_code == 403
    picked = scrape(api.client)
    assert value(picked, "locker_compartments", site="MAPO-001", size="S", state="free") == 4
    pickup = {"method": "POST", "route": "/kiosk/v1/pickup"}
    assert (value(picked, "locker_http_requests_total", **pickup, status="403")
            == value(sent, "locker_http_requests_total", **pickup, status="403") + 1)


def test_sms_failures_by_error_code_and_keypad_locks(app, api, sms, clock):
    sms.fail_with = SmsError("Twilio answered 400 (21211)", temporary=False, code=21211)
    deposited(api)
    run_jobs(app)
    with app.app_context():
        site = db.session.query(Site).filter_by(code="MAPO-002").one()
        for _ in range(keypad.LOCK_AFTER):
            keypad.record_failure(db.session, clock(), site)
            clock.advance(seconds=1)
        db.session.commit()
    samples = scrape(api.client)
    assert value(samples, "locker_sms_failed_messages", error_code="21211") == 1
    assert value(samples, "locker_keypad_locked", site="MAPO-002") == 1
    assert value(samples, "locker_keypad_locked", site="MAPO-001") == 0
    assert value(samples, "locker_keypad_locks_total") == 1


def test_unknown_paths_share_one_series(client):
    def unmatched(samples) -> float:
        return value(samples, "locker_http_requests_total", method="GET", route="unmatched", status="404")

    before = unmatched(scrape(client))  # the counter lives for the whole test run
    for n in range(3):
        client.get(f"/no/such/page/{n}")
    samples = scrape(client)
    assert not any("/no/such" in dict(labels).get("route", "") for _, labels in samples)
    assert unmatched(samples) == before + 3


def test_metrics_still_answer_when_the_database_is_down(tmp_path):
    from locker_app import create_app
    from tests.conftest import RecordingSender

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/x.db", "SMS_SENDER": RecordingSender()})
    assert value(scrape(app.test_client()), "locker_database_up") == 0
