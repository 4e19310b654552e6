"""The operator's daily work: finding parcels, reading the audit trail and the SMS outbox, exporting
them; and no full phone number anywhere an admin looks (pages, JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import relay_job
from locker_app.sms.senders import SmsError
from tests.admin_support import MASKED, Admins, assert_no_full_number, bearer, create_admins, signed_in
from tests.conftest import code_from


@pytest.fixture
def admins(app, world) -> Admins:
    """An operator `ops` and a viewer `viewer`, both with API tokens, over the seeded world."""
    return create_admins(app)



def a_few_parcels(app, api, sms, clock) -> dict[str, str]:
    """Newest first: HJ888 (reserved at MAPO-002), HJ777 (picked up), CJ100200999 (stored, its SMS
    failed), CJ100200300 (stored)."""
    stored = api.reserve(size="S", tracking="CJ100200300").get_json()["parcel_id"]
    api.deposit(stored)
    with app.app_context():
        relay_job()
    clock.advance(minutes=1)
    failed = api.reserve(size="M", tracking="CJ100200999").get_json()["parcel_id"]
    sms.fail_with = SmsError("invalid number", temporary=False, code=21211)
    api.deposit(failed)
    with app.app_context():
        relay_job()
    sms.fail_with = None
    clock.advance(minutes=1)
    picked = api.reserve(size="S", tracking="HJ777").get_json()["parcel_id"]
    api.deposit(picked)
    with app.app_context():
        relay_job()
    api.pickup(code_from(sms.sent[-1]["body"]))
    clock.advance(minutes=1)
    reserved = api.reserve(site="MAPO-002", size="L", tracking="HJ888").get_json()["parcel_id"]
    return {"stored": stored, "failed": failed, "picked": picked, "reserved": reserved}


def test_parcels_are_searchable_with_masked_numbers(app, api, sms, clock, admins):
    ids = a_few_parcels(app, api, sms, clock)
    client, headers = app.test_client(), bearer(admins.viewer_token)

    def found(query: str) -> list[str]:
        response = client.get(f"/admin/api/parcels{query}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [p["tracking_number"] for p in response.get_json()["parcels"]]

    assert found("?tracking_number=CJ100200") == ["CJ100200999", "CJ100200300"]
    assert found("?tracking_number=CJ100200300") == ["CJ100200300"]
    assert found("?tracking_number=%25") == []  # a wildcard is a character, not "everything"
    assert found("?state=picked_up") == ["HJ777"]
    assert found("?site=MAPO-002") == ["HJ888"]
    assert found("?state=stored&site=MAPO-001") == ["CJ100200999", "CJ100200300"]
    assert client.get("/admin/api/parcels?state=lost", headers=headers).status_code == 400
    one = client.get(f"/admin/api/parcels/{ids['failed']}", headers=headers).get_json()
    assert one["recipient"] == MASKED and one["notification_failed"] is True
    assert [m["status"] for m in one["messages"]] == ["failed"] and one["messages"][0]["error_code"] == 21211
    assert "parcel.deposited" in [e["action"] for e in one["events"]]
    assert client.get("/admin/api/parcels/nope", headers=headers).status_code == 404

    page = signed_in(app, "viewer").text("/admin/parcels?tracking_number=CJ100200")
    assert "CJ100200999" in page and "CJ100200300" in page and "HJ777" not in page
    assert page.count(MASKED) == 2


def test_events_filter_by_site_action_door_and_time(app, api, sms, clock, admins):
    ids = a_few_parcels(app, api, sms, clock)
    clock.advance(days=1)
    ops = bearer(admins.operator_token)
    client = app.test_client()
    assert client.post("/admin/api/sites/MAPO-001/compartments/A04/disable", json={"reason": "glass cracked"},
                       headers=ops).status_code == 200

    def actions(query: str) -> list[str]:
        response = client.get(f"/admin/api/events{query}", headers=ops)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [e["action"] for e in response.get_json()["events"]]

    assert actions("?action=compartment.") == ["compartment.disabled"]
    disabled = client.get("/admin/api/events?action=compartment.", headers=ops).get_json()["events"][0]
    assert disabled["actor"] == "admin:1" and disabled["actor_name"] == "ops" and disabled["compartment"] == "A04"
    assert disabled["detail"]["reason"] == "glass cracked" and disabled["at"] == "2026-11-25T05:08:00Z"
    assert actions("?site=MAPO-002") == ["parcel.reserved"]
    assert actions("?site=MAPO-001&compartment=A04") == ["compartment.disabled"]
    assert actions(f"?parcel={ids['picked']}") == ["parcel.picked_up", "parcel.deposited", "parcel.reserved"]
    # Days are read in the admin time zone (Asia/Seoul): the day before is 2026-11-24 there.
    assert "compartment.disabled" not in actions("?until=2026-11-24")
    assert actions("?since=2026-11-25") == ["compartment.disabled"]
    assert actions("?since=2026-11-25T14:00:00%2B09:00&until=2026-11-25T05:10:00Z") == ["compartment.disabled"]
    assert client.get("/admin/api/events?since=yesterday", headers=ops).status_code == 400
    page = signed_in(app).text("/admin/events?action=compartment.")
    assert "glass cracked" in page and "ops" in page


def test_messages_show_status_error_and_attempts_never_the_body(app, api, sms, clock, admins):
    ids = a_few_parcels(app, api, sms, clock)
    client, headers = app.test_client(), bearer(admins.viewer_token)
    body = client.get("/admin/api/messages", headers=headers).get_json()["messages"]
    assert sorted(m["status"] for m in body) == ["failed", "queued", "queued"]
    failed = next(m for m in body if m["status"] == "failed")
    assert failed["error_code"] == 21211 and failed["attempts"] == 1 and failed["parcel_id"] == ids["failed"]
    assert all(m["to"] == MASKED and "body" not in m for m in body)
    only_failed = client.get("/admin/api/messages?status=failed", headers=headers).get_json()["messages"]
    assert [m["id"] for m in only_failed] == [failed["id"]]
    assert client.get("/admin/api/messages?status=lost", headers=headers).status_code == 400
    page = signed_in(app, "viewer").text("/admin/messages?status=failed")
    assert "21211" in page and MASKED in page


def test_exports_are_csv_with_masked_numbers_and_are_recorded(app, api, sms, clock, admins):
    a_few_parcels(app, api, sms, clock)
    browser = signed_in(app, "viewer")  # exports need only the right to read
    messages = browser.get("/admin/api/messages.csv?site=MAPO-001")
    assert messages.status_code == 200 and messages.headers["Content-Type"].startswith("text/csv")
    assert messages.headers["Content-Disposition"].startswith('attachment; filename="messages-')
    rows = list(csv.DictReader(io.StringIO(messages.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3 and {r["to"] for r in rows} == {"'" + MASKED}  # a leading ' stops spreadsheet formulas
    assert "body" not in rows[0] and {r["status"] for r in rows} == {"failed", "queued"}
    events_csv = browser.get("/admin/api/events.csv?action=parcel.")
    rows = list(csv.DictReader(io.StringIO(events_csv.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["action"] for r in rows} == {"parcel.reserved", "parcel.deposited", "parcel.picked_up"}
    with app.app_context():
        recorded = db.session.execute(sa.text(
            "SELECT actor, detail FROM events WHERE action = 'admin.exported' ORDER BY id")).all()
    assert [r.actor for r in recorded] == ["admin:2", "admin:2"]
    detail = recorded[0].detail if isinstance(recorded[0].detail, dict) else json.loads(recorded[0].detail)
    assert detail["what"] == "messages" and detail["rows"] == 3


def test_no_full_phone_number_anywhere_an_admin_looks(app, api, sms, clock, admins):
    ids = a_few_parcels(app, api, sms, clock)
    # A number typed into free text (an event detail) is masked too.
    with app.app_context():
        from locker_app.services import events

        events.record(db.session(), app.extensions["locker.clock"](), "kiosk:1", "door.note",
                      note="resident +821012345678 called, also 010-1234-5678")
        db.session.commit()
    browser = signed_in(app)
    headers = bearer(admins.operator_token)
    client = app.test_client()
    seen = []
    for path in ("/admin/", "/admin/sites/MAPO-001", "/admin/sites/MAPO-002", "/admin/parcels", "/admin/events",
                 "/admin/messages", *(f"/admin/parcels/{pid}" for pid in ids.values())):
        seen.append(browser.text(path))
    for path in ("/admin/api/occupancy", "/admin/api/parcels", "/admin/api/events", "/admin/api/messages",
                 "/admin/api/sites/MAPO-001/compartments", "/admin/api/events.csv", "/admin/api/messages.csv",
                 *(f"/admin/api/parcels/{pid}" for pid in ids.values())):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        seen.append(response.get_data(as_text=True))
    everything = "\n".join(seen)
    assert_no_full_number(everything)
    assert MASKED in everything and "***-****-5678" in everything
    # The check would notice a leak: the database does hold the full number.
    with app.app_context():
        assert db.session.execute(sa.text("SELECT recipient_phone FROM parcels LIMIT 1")).scalar_one() \
            == "+821012345678"


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31", "since=0001-01-01T00:00:00%2B09:00",
                                   "until=9999-12-31T23:00:00-09:00"])
@pytest.mark.parametrize("path", ["/admin/api/events", "/admin/api/messages"])
def test_dates_at_the_ends_of_the_calendar_are_a_400_not_a_retryable_500(app, admins, path, query):
    response = app.test_client().get(f"{path}?{query}", headers=bearer(admins.viewer_token))
    assert response.status_code == 400, response.get_data(as_text=True)
    problem = response.get_json()
    assert problem["type"] == "invalid-input" and "retry" not in problem.get("detail", "")
    assert problem["field"] in ("since", "until")
