"""Occupancy as admins see it (JSON and dashboard) agrees with the database after a scripted day."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import DB_JOBS, relay_job, run_all_once, run_db_job
from locker_app.services import events
from locker_app.sms.senders import SmsError
from tests.admin_support import Admins, bearer, create_admins, signed_in, tile_counts, tile_stat
from tests.conftest import code_from


@pytest.fixture
def admins(app, world) -> Admins:
    """An operator `ops` and a viewer `viewer`, both with API tokens, over the seeded world."""
    return create_admins(app)


SIZES = ("S", "M", "L", "XL")


def _sql(app, statement: str, **params):
    with app.app_context():
        db.session.execute(sa.text(statement), params)
        db.session.commit()


def occupancy_from_rows(app) -> dict[str, dict[str, dict[str, int]]]:
    """The same numbers computed the slow, obvious way from raw rows: the oracle for the service."""
    with app.app_context():
        rows = db.session.execute(sa.text(
            "SELECT s.code, c.id, c.size, c.in_service FROM compartments c JOIN sites s ON s.id = c.site_id"
        )).all()
        active = dict(db.session.execute(sa.text(
            "SELECT compartment_id, state FROM parcels WHERE state IN ('reserved', 'stored', 'expired')"
        )).all())
        db.session.rollback()
    counts: dict[str, dict[str, Counter[str]]] = {}
    for code, compartment_id, size, in_service in rows:
        state = active.get(compartment_id)
        kind = ("disabled" if not in_service else "reserved" if state == "reserved"
                else "occupied" if state else "free")
        bucket = counts.setdefault(code, {s: Counter() for s in SIZES})[size]
        bucket[kind] += 1
        bucket["total"] += 1
    return {code: {size: {k: c[k] for k in ("total", "free", "reserved", "occupied", "disabled")}
                   for size, c in by_size.items()} for code, by_size in counts.items()}


def scripted_day(app, api, sms, clock, admins) -> dict[str, str]:
    """Reserve, deposit, pick up, cancel, disable (by an admin and by a door fault), expire, a failed SMS."""
    p = {name: api.reserve(size=size, tracking=f"TRK-{name}").get_json()
         for name, size in (("s1", "S"), ("s2", "S"), ("s3", "S"), ("m1", "M"), ("l1", "L"))}
    assert [p[n]["compartment"] for n in ("s1", "s2", "s3", "m1", "l1")] == ["A01", "A02", "A03", "A05", "A08"]
    clock.advance(minutes=5)
    for name in ("s1", "s2"):
        assert api.deposit(p[name]["parcel_id"]).status_code == 200
    with app.app_context():
        assert relay_job() == 2
    sms.fail_with = SmsError("invalid number", temporary=False, code=21211)
    assert api.deposit(p["m1"]["parcel_id"]).status_code == 200
    with app.app_context():
        relay_job()
    sms.fail_with = None
    clock.advance(hours=2)
    assert api.pickup(code_from(sms.sent[0]["body"])).status_code == 200  # s1 picked up at the kiosk
    assert api.cancel(p["s3"]["parcel_id"]).status_code == 200
    ops = bearer(admins.operator_token)
    assert api.client.post("/admin/api/sites/MAPO-001/compartments/A06/disable", json={"reason": "hinge loose"},
                           headers=ops).status_code == 200
    assert api.client.post("/admin/api/sites/MAPO-001/compartments/A02/disable", json={"reason": "door jammed"},
                           headers=ops).status_code == 200
    # The kiosk branch reports broken doors; here the same rows it writes.
    with app.app_context():
        site_id, a09 = db.session.execute(sa.text(
            "SELECT c.site_id, c.id FROM compartments c JOIN sites s ON s.id = c.site_id "
            "WHERE s.code = 'MAPO-001' AND c.label = 'A09'")).one()
        db.session.execute(sa.text("UPDATE compartments SET in_service = false WHERE id = :id"), {"id": a09})
        events.record(db.session(), clock(), "kiosk:1", "door.fault", site_id=site_id, compartment_id=a09)
        db.session.commit()
    # Expiry is the storage-policy job's business; set its outcome directly.
    _sql(app, "UPDATE parcels SET state = 'expired', expired_at = pickup_deadline WHERE id = :id",
         id=p["m1"]["parcel_id"])
    return {name: value["parcel_id"] for name, value in p.items()}


EXPECTED_MAPO_001 = {
    "S": {"total": 4, "free": 3, "reserved": 0, "occupied": 0, "disabled": 1},   # A02 disabled holding s2
    "M": {"total": 3, "free": 1, "reserved": 0, "occupied": 1, "disabled": 1},   # A05 expired m1, A06 off
    "L": {"total": 2, "free": 0, "reserved": 1, "occupied": 0, "disabled": 1},   # A08 reserved l1, A09 fault
    "XL": {"total": 1, "free": 1, "reserved": 0, "occupied": 0, "disabled": 0},
}


def test_occupancy_json_agrees_with_the_database_after_a_day(app, api, sms, clock, admins):
    scripted_day(app, api, sms, clock, admins)
    response = api.client.get("/admin/api/occupancy", headers=bearer(admins.viewer_token))
    assert response.status_code == 200
    body = response.get_json()
    by_site = {s["site"]: s for s in body["sites"]}
    assert list(by_site) == ["MAPO-001", "MAPO-002"]
    mapo = by_site["MAPO-001"]
    assert mapo["sizes"] == EXPECTED_MAPO_001
    assert mapo["name"] == "마포구청 안심택배함" and mapo["district"] == "Mapo-gu"
    assert mapo["total"] == {"total": 10, "free": 5, "reserved": 1, "occupied": 1, "disabled": 3}
    assert mapo["overdue"] == 1 and mapo["faults"] == 1
    assert mapo["sms_undelivered"] == 1 and mapo["notification_failed"] == 1
    assert mapo["kiosk_last_seen"] == "2026-11-24T07:10:00Z"
    other = by_site["MAPO-002"]
    assert other["total"]["free"] == other["total"]["total"] == 6
    assert other["overdue"] == other["faults"] == other["sms_undelivered"] == 0 and other["kiosk_last_seen"] is None
    oracle = occupancy_from_rows(app)
    assert {code: site["sizes"] for code, site in by_site.items()} == oracle


def test_filters_by_district_and_site(app, api, admins):
    with app.app_context():
        from locker_app.services import provisioning

        provisioning.create_site(db.session(), app.extensions["locker.clock"](), "GANG-001", "강남 택배함", "S:1",
                                 district="Gangnam-gu")
        db.session.commit()
    headers = bearer(admins.viewer_token)
    sites = lambda query: [s["site"] for s in api.client.get(f"/admin/api/occupancy{query}",  # noqa: E731
                                                              headers=headers).get_json()["sites"]]
    assert sites("") == ["GANG-001", "MAPO-001", "MAPO-002"]
    assert sites("?district=Mapo-gu") == ["MAPO-001", "MAPO-002"]
    assert sites("?site=MAPO-002") == ["MAPO-002"]
    assert sites("?district=Gangnam-gu&site=MAPO-002") == []
    missing = api.client.get("/admin/api/occupancy?site=NOPE-1", headers=headers)
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"


def test_dashboard_shows_the_same_numbers(app, api, sms, clock, admins):
    scripted_day(app, api, sms, clock, admins)
    html = signed_in(app, "viewer").text("/admin/")
    assert tile_counts(html, "MAPO-001") == EXPECTED_MAPO_001
    assert tile_stat(html, "MAPO-001", "overdue") == "1"
    assert tile_stat(html, "MAPO-001", "faults") == "1"
    assert tile_stat(html, "MAPO-001", "sms_undelivered") == "1"
    assert tile_stat(html, "MAPO-001", "kiosk_last_seen") == "just now"
    assert tile_stat(html, "MAPO-002", "kiosk_last_seen") == "never"
    filtered = signed_in(app, "viewer").text("/admin/?site=MAPO-002")
    assert 'data-site="MAPO-002"' in filtered and 'data-site="MAPO-001"' not in filtered


def test_hourly_snapshots_feed_the_chart(app, api, clock, admins):
    headers = bearer(admins.viewer_token)
    with app.app_context():
        assert run_all_once(clock())["occupancy-snapshot"] == 8  # 4 sizes x 2 sites
        assert run_all_once(clock())["occupancy-snapshot"] == 0  # the same hour: nothing twice
    for size in ("S", "M"):
        assert api.deposit(api.reserve(size=size).get_json()["parcel_id"]).status_code == 200
    clock.advance(hours=1)
    with app.app_context():
        assert run_all_once(clock())["occupancy-snapshot"] == 8
    history = api.client.get("/admin/api/occupancy/history?hours=24&site=MAPO-001", headers=headers).get_json()
    points = history["points"]
    assert [p["at"] for p in points] == ["2026-11-24T05:00:00Z", "2026-11-24T06:00:00Z"]
    assert points[0] == {"at": "2026-11-24T05:00:00Z", "total": 10, "free": 10, "reserved": 0, "occupied": 0,
                         "disabled": 0}
    assert points[1]["occupied"] == 2 and points[1]["free"] == 8
    everywhere = api.client.get("/admin/api/occupancy/history?hours=24", headers=headers).get_json()
    assert everywhere["points"][1]["total"] == 16
    html = signed_in(app, "viewer").text("/admin/?hours=24")
    assert "No hourly snapshots yet" not in html
    assert "11/24 15:00: 2 occupied, 0 reserved, 0 out of service, 14 free of 16" in html
    assert "11/24 14:00: 0 occupied, 0 reserved, 0 out of service, 16 free of 16" in html


def test_two_schedulers_taking_the_same_snapshot_store_it_once(make_app, world, clock):
    apps = [make_app(), make_app()]
    start = threading.Barrier(2)
    added: list[int] = []
    errors: list[BaseException] = []

    def snapshot(app) -> None:
        try:
            with app.app_context():
                start.wait()
                added.append(run_db_job(next(j for j in DB_JOBS if j.name == "occupancy-snapshot"), clock()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=snapshot, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(added) == [0, 8]
    with apps[0].app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM occupancy_snapshots")).scalar_one() == 8
