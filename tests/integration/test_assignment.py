"""Which compartment a courier is sent to."""

from __future__ import annotations

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.models import Compartment


def _labels(responses):
    return [r.get_json()["compartment"] for r in responses]


def test_smallest_fitting_size_first_then_upsize_when_full(api):
    # MAPO-001 has S:4 (A01-A04), M:3 (A05-A07), L:2 (A08-A09), XL:1 (A10).
    small = [api.reserve(size="S") for _ in range(4)]
    assert [r.get_json()["size"] for r in small] == ["S"] * 4
    upsized = api.reserve(size="S")
    assert upsized.status_code == 201
    body = upsized.get_json()
    assert body["size"] == "M" and body["size_requested"] == "S"


def test_never_smaller_than_asked(api):
    assert api.reserve(size="L").get_json()["size"] == "L"
    assert api.reserve(size="L").get_json()["size"] == "L"
    assert api.reserve(size="L").get_json()["size"] == "XL"
    full = api.reserve(size="L")
    assert full.status_code == 409


def test_least_recently_used_first(app, api, clock):
    first = api.reserve(size="XL").get_json()
    # A01 was used a moment ago; A02-A04 never were, so they come first.
    with app.app_context():
        db.session.execute(sa.update(Compartment).where(Compartment.label == "A01").values(last_used_at=clock()))
        db.session.commit()
    labels = _labels([api.reserve(size="S") for _ in range(4)])
    assert labels[-1] == "A01", labels
    assert first["compartment"] == "A10"


def test_accessible_compartments_are_kept_for_those_who_ask(app, api):
    with app.app_context():
        db.session.execute(sa.text("UPDATE compartments SET accessible = :yes WHERE label IN ('A01', 'A05')"),
                           {"yes": True})
        db.session.commit()
    ordinary = _labels([api.reserve(size="S") for _ in range(3)])
    assert "A01" not in ordinary
    asked = api.reserve(size="S", accessible=True).get_json()
    assert asked["compartment"] == "A01" and asked["accessible"] is True
    # The only accessible S is taken: the next accessible request is upsized to the accessible M.
    assert api.reserve(size="S", accessible=True).get_json()["compartment"] == "A05"
    assert api.reserve(size="S", accessible=True).status_code == 409


def test_disabled_compartments_are_not_assigned(app, api):
    with app.app_context():
        db.session.execute(sa.text("UPDATE compartments SET in_service = :no WHERE label = 'A10'"), {"no": False})
        db.session.commit()
    full = api.reserve(size="XL")
    assert full.status_code == 409


def test_a_full_site_names_nearby_sites_with_room(api):
    for _ in range(10):
        assert api.reserve(size="S").status_code == 201
    full = api.reserve(size="S")
    assert full.status_code == 409
    problem = full.get_json()
    assert problem["type"] == "locker-full"
    assert problem["alternatives"][0]["site"] == "MAPO-002"
    assert problem["alternatives"][0]["free"] == 6
    assert 1000 < problem["alternatives"][0]["distance_m"] < 2000


def test_cancel_and_pickup_free_the_compartment(api, sms, app):
    from locker_app.jobs import relay_job
    from tests.conftest import code_from

    xl = api.reserve(size="XL").get_json()
    assert api.reserve(size="XL").status_code == 409
    api.cancel(xl["parcel_id"])
    again = api.reserve(size="XL").get_json()
    assert again["compartment"] == "A10"
    api.deposit(again["parcel_id"])
    with app.app_context():
        relay_job()
    assert api.reserve(size="XL").status_code == 409
    assert api.pickup(code_from(sms.sent[-1]["body"])).status_code == 200
    assert api.reserve(size="XL").status_code == 201
