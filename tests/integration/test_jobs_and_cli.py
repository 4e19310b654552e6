"""The commands of the contract, and the jobs they run."""

from __future__ import annotations

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.models import Parcel


def test_create_site_courier_and_kiosk_from_the_command_line(app, client):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["locker", "create-site", "SEOCHO-007", "--name", "Seocho 7", "--tz", "Asia/Seoul",
                               "--compartments", "S:2,M:1", "--district", "Seocho-gu", "--accessible", "A03"])
    assert made.exit_code == 0, made.output
    courier = runner.invoke(args=["locker", "create-courier", "--carrier", "CJ", "--name", "Park"])
    kiosk = runner.invoke(args=["locker", "create-kiosk", "SEOCHO-007"])
    assert courier.exit_code == 0 and kiosk.exit_code == 0
    courier_token = courier.output.strip().splitlines()[-1]
    kiosk_token = kiosk.output.strip().splitlines()[-1]

    reserved = client.post("/api/v1/sites/SEOCHO-007/reservations",
                           json={"tracking_number": "T1", "recipient_phone": "010-9999-8888", "size": "M",
                                 "accessible": True},
                           headers={"Authorization": f"Bearer {courier_token}", "Idempotency-Key": "1"})
    assert reserved.status_code == 201 and reserved.get_json()["compartment"] == "A03"
    assert client.post("/kiosk/v1/pickup", json={"code": "00000000"},
                       headers={"Authorization": f"Bearer {kiosk_token}"}).status_code == 403
    with app.app_context():
        labels = db.session.execute(sa.text("SELECT label, size, accessible FROM compartments "
                                            "JOIN sites ON sites.id = site_id WHERE code = 'SEOCHO-007' "
                                            "ORDER BY label")).all()
    assert [(label, size, bool(acc)) for label, size, acc in labels] == [
        ("A01", "S", False), ("A02", "S", False), ("A03", "M", True)]


def test_create_site_refuses_bad_input_cleanly(app):
    runner = app.test_cli_runner()
    for args in (["NOPE 1", "--name", "x", "--compartments", "S:1"],
                 ["OK-1", "--name", "x", "--compartments", "Q:1"],
                 ["OK-1", "--name", "x", "--compartments", "S:1", "--tz", "Mars/Olympus"]):
        result = runner.invoke(args=["locker", "create-site", *args])
        assert result.exit_code != 0
        assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM sites")) == 0


def test_seed_demo_twice_keeps_one_demo_and_prints_credentials_again(app, tmp_path):
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["locker", "seed-demo"])
    second = runner.invoke(args=["locker", "seed-demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "exists already" in second.output
    token = next(line for line in first.output.splitlines() if "courier API token" in line).split()[-1]
    assert token in second.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM sites WHERE code = 'MAPO-001'")) == 1
        assert db.session.scalar(sa.text("SELECT count(*) FROM admins")) == 1


def test_run_jobs_at_releases_a_stale_reservation(app, api, clock):
    parcel = api.reserve().get_json()
    runner = app.test_cli_runner()
    early = runner.invoke(args=["locker", "run-jobs", "--at", "+10min"])
    assert "release-reservations: 0" in early.output
    late = runner.invoke(args=["locker", "run-jobs", "--at", "+30min"])
    assert late.exit_code == 0, late.output
    assert "release-reservations: 1" in late.output
    with app.app_context():
        assert db.session.get(Parcel, parcel["parcel_id"]).state == "cancelled"
    # The compartment is free for the next courier.
    app.extensions["locker.clock"] = clock
    assert api.reserve().get_json()["compartment"] == parcel["compartment"]


def test_a_deposit_after_the_hold_ran_out_is_refused(app, api, clock):
    parcel = api.reserve().get_json()
    clock.advance(minutes=16)
    late = api.deposit(parcel["parcel_id"])
    assert late.status_code == 409 and late.get_json()["type"] == "reservation-expired"
    with app.app_context():
        from locker_app.jobs import release_stale_reservations

        assert release_stale_reservations(db.session(), clock()) == 1
        db.session.commit()
    assert api.get(parcel["parcel_id"]).get_json()["state"] == "cancelled"
    assert api.deposit(parcel["parcel_id"]).status_code == 409


def test_run_jobs_refuses_a_time_without_zone(app):
    result = app.test_cli_runner().invoke(args=["locker", "run-jobs", "--at", "2026-11-25T10:00:00"])
    assert result.exit_code != 0 and "time zone" in result.output
