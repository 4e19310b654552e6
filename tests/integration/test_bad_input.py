"""Bad input gets a clear problem+json answer and changes nothing."""

from __future__ import annotations

import json

import pytest

from tests.conftest import row_counts

GOOD = {"tracking_number": "CJ1", "recipient_phone": "010-1234-5678", "size": "S"}
RESERVE = "/api/v1/sites/MAPO-001/reservations"


def _with(**changes):
    return json.dumps({**GOOD, **changes})


CASES = [
    # (name, method, path, body, content type, auth, status, type)
    ("malformed json", "POST", RESERVE, '{"size": "S",', "application/json", "courier", 400, "invalid-json"),
    ("not an object", "POST", RESERVE, "[1, 2]", "application/json", "courier", 400, "invalid-input"),
    ("not json at all", "POST", RESERVE, "size=S", "application/x-www-form-urlencoded", "courier", 415,
     "unsupported-media-type"),
    ("empty body", "POST", RESERVE, "", "application/json", "courier", 400, "invalid-json"),
    ("size of wrong type", "POST", RESERVE, _with(size=2), "application/json", "courier", 400, "invalid-input"),
    ("unknown size", "POST", RESERVE, _with(size="XXL"), "application/json", "courier", 400, "invalid-input"),
    ("accessible not a boolean", "POST", RESERVE, _with(accessible="yes"), "application/json", "courier", 400,
     "invalid-input"),
    ("tracking number missing", "POST", RESERVE, json.dumps({"recipient_phone": "010-1234-5678", "size": "S"}),
     "application/json", "courier", 400, "invalid-input"),
    ("tracking number too long", "POST", RESERVE, _with(tracking_number="X" * 65), "application/json", "courier",
     400, "invalid-input"),
    ("tracking number a number", "POST", RESERVE, _with(tracking_number=12345), "application/json", "courier",
     400, "invalid-input"),
    ("phone not a number", "POST", RESERVE, _with(recipient_phone="call me"), "application/json", "courier", 400,
     "invalid-input"),
    ("phone too short", "POST", RESERVE, _with(recipient_phone="010-123"), "application/json", "courier", 400,
     "invalid-input"),
    ("phone a landline", "POST", RESERVE, _with(recipient_phone="02-2133-0000"), "application/json", "courier",
     400, "invalid-input"),
    ("phone of wrong type", "POST", RESERVE, _with(recipient_phone=1012345678), "application/json", "courier",
     400, "invalid-input"),
    ("unknown site", "POST", "/api/v1/sites/NOPE-001/reservations", json.dumps(GOOD), "application/json",
     "courier", 404, "not-found"),
    ("no token", "POST", RESERVE, json.dumps(GOOD), "application/json", None, 401, "unauthorized"),
    ("wrong token", "POST", RESERVE, json.dumps(GOOD), "application/json", "wrong", 401, "unauthorized"),
    ("kiosk token on courier api", "POST", RESERVE, json.dumps(GOOD), "application/json", "kiosk", 401,
     "unauthorized"),
    ("oversized body", "POST", RESERVE, _with(tracking_number="X" * 70_000), "application/json", "courier", 413,
     "body-too-large"),
    ("wrong method", "PUT", RESERVE, json.dumps(GOOD), "application/json", "courier", 405, "method-not-allowed"),
    ("unknown parcel", "POST", "/api/v1/parcels/0123456789abcdef/deposit", "", "application/json", "courier",
     404, "not-found"),
    ("unknown path", "GET", "/api/v1/nothing-here", None, None, "courier", 404, "not-found"),
    ("bad list limit", "GET", "/api/v1/parcels?limit=0", None, None, "courier", 400, "invalid-input"),
    ("list limit a superscript digit", "GET", "/api/v1/parcels?limit=%C2%B9", None, None, "courier", 400,
     "invalid-input"),
    ("bad list state", "GET", "/api/v1/parcels?state=lost", None, None, "courier", 400, "invalid-input"),
    # PostgreSQL fails a statement whose text holds NUL (fuzzing found the 500s): refused at the door.
    ("NUL in a site code", "POST", "/api/v1/sites/MAPO%00-001/reservations", json.dumps(GOOD), "application/json",
     "courier", 404, "not-found"),
    ("NUL in a parcel id", "GET", "/api/v1/parcels/abc%00def", None, None, "courier", 404, "not-found"),
    ("NUL in a query filter", "GET", "/api/v1/parcels?site=MAPO%00-001", None, None, "courier", 400,
     "invalid-input"),
    ("NUL in a JSON string", "POST", "/kiosk/v1/pickup", '{"code": "12345678", "payment_reference": "R\\u00001"}',
     "application/json", "kiosk", 400, "invalid-input"),
    ("NUL in a form field", "POST", "/webhooks/twilio/status", "MessageSid=SM1%00&MessageStatus=sent",
     "application/x-www-form-urlencoded", None, 400, "invalid-input"),
    ("kiosk without token", "POST", "/kiosk/v1/pickup", '{"code": "12345678"}', "application/json", None, 401,
     "unauthorized"),
    ("courier token on kiosk", "POST", "/kiosk/v1/pickup", '{"code": "12345678"}', "application/json", "courier",
     401, "unauthorized"),
    ("kiosk api with a wrong method", "GET", "/kiosk/v1/pickup", None, None, "kiosk", 405, "method-not-allowed"),
    ("admin api without credentials", "POST", "/admin/api/sites/MAPO-001/compartments/A01/disable",
     '{"reason": "broken hinge"}', "application/json", None, 401, "unauthorized"),
    # A parser's recursion limit is not the client's problem: 400, not a 500 with a traceback.
    ("JSON nested 400 deep", "POST", "/kiosk/v1/pickup", '{"code": ' + "[" * 400 + "]" * 400 + "}",
     "application/json", "kiosk", 400, "invalid-json"),
    ("JSON nested 20,000 deep", "POST", RESERVE, "[" * 20_000 + "]" * 20_000, "application/json", "courier",
     400, "invalid-json"),
    ("JSON nested 64 deep in a field", "POST", RESERVE, _with(size=json.loads("[" * 64 + "]" * 64)),
     "application/json", "courier", 400, "invalid-json"),
    # A CR or LF in a path names nothing that exists (it must never reach a header or a log line as such).
    ("CR LF in a door label", "POST", "/kiosk/v1/doors/A01%0D%0AX-Injected:%201/closed", "", "application/json",
     "kiosk", 404, "not-found"),
    ("LF in a door label", "POST", "/kiosk/v1/doors/A01%0A/fault", '{"reason": "jammed"}', "application/json",
     "kiosk", 404, "not-found"),
    ("kiosk malformed json", "POST", "/kiosk/v1/pickup", '{"code": ', "application/json", "kiosk", 400,
     "invalid-json"),
]


@pytest.mark.parametrize(("name", "method", "path", "body", "ctype", "auth", "status", "slug"), CASES,
                         ids=[case[0] for case in CASES])
def test_bad_input_is_refused_and_changes_nothing(app, client, world, name, method, path, body, ctype, auth,
                                                  status, slug):
    tokens = {"courier": world.courier_token, "kiosk": world.kiosk_token, "wrong": "not-a-token", None: None}
    headers = {"Idempotency-Key": f"key-{name}"}
    if tokens[auth]:
        headers["Authorization"] = f"Bearer {tokens[auth]}"
    if ctype:
        headers["Content-Type"] = ctype
    before = row_counts(app)
    response = client.open(path, method=method, data=body, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == slug and problem["status"] == status and problem["title"]
    assert "Traceback" not in response.get_data(as_text=True)
    assert row_counts(app) == before
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("code", ["1234567", "123456789", "abcdefgh", 12345678, None, "１２３４５６７８", ""])
def test_malformed_codes_get_the_same_answer_as_wrong_ones(app, api, code):
    def counts() -> dict[str, int]:
        # A rejected code counts against the keypad's failure budget and changes nothing else.
        return {table: n for table, n in row_counts(app).items() if not table.startswith("keypad_")}

    before = counts()
    response = api.pickup(code)
    wrong = api.pickup("00000000")
    assert response.status_code == wrong.status_code == 403
    assert response.get_json() == wrong.get_json()
    assert counts() == before
    assert row_counts(app)["keypad_failures"] == 2


def test_another_carriers_parcel_looks_like_no_parcel(app, api, world):
    parcel = api.reserve().get_json()
    before = row_counts(app)
    for response in (api.get(parcel["parcel_id"], token=world.other_courier_token),
                     api.deposit(parcel["parcel_id"], token=world.other_courier_token),
                     api.cancel(parcel["parcel_id"], token=world.other_courier_token)):
        assert response.status_code == 404
        assert response.get_json()["type"] == "not-found"
    assert row_counts(app) == before


def test_deposit_of_a_cancelled_parcel_is_a_conflict(app, api):
    parcel = api.reserve().get_json()
    assert api.cancel(parcel["parcel_id"]).status_code == 200
    before = row_counts(app)
    response = api.deposit(parcel["parcel_id"])
    assert response.status_code == 409 and response.get_json()["type"] == "invalid-state"
    assert row_counts(app) == before


def test_an_unexpected_error_is_a_clean_500(app, api, monkeypatch):
    import locker_app.services.parcels as parcels_service

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(parcels_service, "reserve", explode)
    before = row_counts(app)
    response = api.reserve()
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "secret internals" not in response.get_data(as_text=True)
    assert row_counts(app) == before
