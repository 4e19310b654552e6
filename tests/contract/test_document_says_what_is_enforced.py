"""/openapi.json declares what the server enforces, and its path examples exist in seed-demo's data."""

from __future__ import annotations

import re

import pytest

from locker_app.models import PARCEL_STATES
from locker_app.services.admin_search import MESSAGE_KINDS, MESSAGE_STATUSES
from tests.admin_support import bearer, create_admins


@pytest.fixture
def document(client):
    return client.get("/openapi.json").get_json()


def _query(document, path: str, name: str) -> dict:
    return next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_admin_filters_are_enums_and_compartment_needs_a_site(document, app, world):
    # Empty is "any" (the admin pages' forms send it).
    assert _query(document, "/admin/api/parcels", "state")["schema"]["enum"] == ["", *PARCEL_STATES]
    assert _query(document, "/admin/api/messages", "status")["schema"]["enum"] == ["", *MESSAGE_STATUSES]
    assert _query(document, "/admin/api/messages", "kind")["schema"]["enum"] == ["", *MESSAGE_KINDS]
    assert "needs `site`" in _query(document, "/admin/api/events", "compartment")["description"]
    # ...and the server refuses what the document excludes.
    admins = create_admins(app)
    client, headers = app.test_client(), bearer(admins.viewer_token)
    for query in ("/admin/api/messages?kind=bogus", "/admin/api/messages?status=bogus",
                  "/admin/api/parcels?state=bogus", "/admin/api/events?compartment=A01"):
        assert client.get(query, headers=headers).status_code == 400, query


def test_request_text_declares_no_nul_and_checked_fields_no_control_characters(document):
    strings = []

    def walk(schema):
        if schema.get("type") == "string":
            strings.append(schema)
        for child in (schema.get("properties") or {}).values():
            walk(child)

    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path"):
                    walk(parameter["schema"])
    request_bodies = {"ReservationIn", "ReasonIn", "ReasonRequiredIn", "PickupIn", "AckIn", "TwilioStatusForm"}
    for name, schema in document["components"]["schemas"].items():
        if name in request_bodies:
            walk(schema)
    assert strings
    for schema in strings:
        if "enum" in schema or "format" in schema:
            continue
        pattern = re.compile(schema["pattern"])
        assert not pattern.match("a\x00b"), schema
    reservation = document["components"]["schemas"]["ReservationIn"]["properties"]
    assert not re.match(reservation["tracking_number"]["pattern"], "CJ\n1")
    reason = document["components"]["schemas"]["ReasonRequiredIn"]["properties"]["reason"]
    assert not re.match(reason["pattern"], "ab\x07d")
    label = document["paths"]["/kiosk/v1/doors/{label}/closed"]["post"]["parameters"][0]
    assert not re.match(label["schema"]["pattern"], "A01\r\n")


def test_every_429_declares_retry_after(document):
    answers = [op["responses"]["429"] for ops in document["paths"].values() for op in ops.values()
               if "429" in op["responses"]]
    assert answers
    assert all(a["headers"]["Retry-After"]["required"] is True for a in answers)


def test_path_examples_exist_in_the_demo_data(document, make_app):
    app = make_app()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["locker", "seed-demo"], env={"LOCKER_ADMIN_PASSWORD": ""}).exit_code == 0
    from locker_app.extensions import db
    from locker_app.models import Compartment, Site

    examples = {p["name"]: p["example"] for ops in document["paths"].values() for op in ops.values()
                for p in op.get("parameters", []) if p["in"] == "path" and "example" in p}
    assert examples["site_code"] == "MAPO-001" and examples["label"] == "A01"
    with app.app_context():
        site = db.session.query(Site).filter_by(code=examples["site_code"]).one()
        assert db.session.query(Compartment).filter_by(site_id=site.id, label=examples["label"]).one()
        db.session.rollback()
