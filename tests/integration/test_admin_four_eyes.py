"""Four eyes on remote opens: a compartment holding a parcel opens only with a second operator's approval
within 15 minutes, and the recipient is told by SMS; an empty one opens at once."""

from __future__ import annotations

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import relay_job
from tests.admin_support import AdminBrowser, bearer, csrf_from
from tests.integration.scope_support import make_admins

KIOSK = "/kiosk/v1/commands"


def _commands(api) -> list[str]:
    answer = api.client.get(KIOSK, headers={"Authorization": f"Bearer {api.world.kiosk_token}"})
    return [c["compartment"] for c in answer.get_json()["commands"]]


def _actions(app) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(sa.text("SELECT action FROM events ORDER BY id")))
        db.session.rollback()
    return found


def _stored(api, app) -> tuple[str, str]:
    parcel = api.reserve(size="S", phone="010-1234-5678").get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200
    with app.app_context():
        relay_job()
    return parcel["parcel_id"], parcel["compartment"]


def _open(api, token, label, **body):
    return api.client.post(f"/admin/api/sites/MAPO-001/compartments/{label}/open",
                           json={"category": "resident-request", "reason": "resident lost her phone", **body},
                           headers=bearer(token))


def _approve(api, token, request_id):
    return api.client.post(f"/admin/api/open-requests/{request_id}/approve", headers=bearer(token))


def test_an_occupied_open_waits_for_a_second_operator_and_tells_the_recipient(app, api, sms, clock):
    tokens = make_admins(app)
    _, label = _stored(api, app)
    sent_before = len(sms.sent)
    asked = _open(api, tokens["mapo_ops"], label)
    assert asked.status_code == 202
    body = asked.get_json()
    assert body["approval_required"] is True and body["request"]["state"] == "pending"
    assert body["request"]["expires_at"] == (clock() + __import__("datetime").timedelta(minutes=15)) \
        .isoformat().replace("+00:00", "Z")
    request_id = body["request"]["id"]
    assert _commands(api) == []  # nothing reaches the kiosk yet

    own = _approve(api, tokens["mapo_ops"], request_id)
    assert own.status_code == 403 and own.get_json()["type"] == "four-eyes"
    other_district = _approve(api, tokens["seocho_ops"], request_id)
    assert other_district.status_code == 404
    viewer = _approve(api, tokens["mapo_viewer"], request_id)
    assert viewer.status_code == 403
    assert _commands(api) == []

    approved = _approve(api, tokens["mapo_ops2"], request_id)
    assert approved.status_code == 202 and approved.get_json()["compartment"] == label
    assert _commands(api) == [label]
    assert _approve(api, tokens["city"], request_id).status_code == 409  # once only

    with app.app_context():
        relay_job()
    told = sms.sent[sent_before:]
    assert len(told) == 1 and told[0]["to"] == "+821012345678"
    assert "관리자가" in told[0]["body"] and "수령인 요청" in told[0]["body"] and "11/24 14:05" in told[0]["body"]
    trail = _actions(app)
    for action in ("door.remote_open_approval_requested", "door.remote_open_approval_refused",
                   "door.remote_open_approved", "door.remote_open_requested", "door.remote_open_recipient_told"):
        assert action in trail, action


def test_an_expired_request_does_nothing(app, api, sms, clock):
    tokens = make_admins(app)
    _, label = _stored(api, app)
    sent_before = len(sms.sent)
    request_id = _open(api, tokens["mapo_ops"], label).get_json()["request"]["id"]
    clock.advance(minutes=15)
    late = _approve(api, tokens["mapo_ops2"], request_id)
    assert late.status_code == 409 and late.get_json()["type"] == "open-request-expired"
    assert _commands(api) == []
    with app.app_context():
        relay_job()
    assert len(sms.sent) == sent_before
    assert "door.remote_open_approved" not in _actions(app)
    assert "door.remote_open_approval_refused" in _actions(app)
    pending = api.client.get("/admin/api/open-requests", headers=bearer(tokens["mapo_ops2"])).get_json()
    assert pending["requests"] == []


def test_an_empty_compartment_opens_at_once(app, api, sms):
    tokens = make_admins(app)
    answer = _open(api, tokens["mapo_ops"], "A04", category="maintenance")
    assert answer.status_code == 202 and "approval_required" not in answer.get_json()
    assert _commands(api) == ["A04"]


def test_a_bad_category_is_refused_and_changes_nothing(app, api):
    tokens = make_admins(app)
    _, label = _stored(api, app)
    refused = _open(api, tokens["mapo_ops"], label, category="because")
    assert refused.status_code == 400 and refused.get_json()["type"] == "invalid-input"
    assert "door.remote_open_approval_requested" not in _actions(app)


def test_the_pending_page_lets_another_operator_approve(app, api, sms):
    tokens = make_admins(app)
    _, label = _stored(api, app)
    asker = AdminBrowser(app.test_client())
    asker.login("mapo_ops")
    site_page = asker.text("/admin/sites/MAPO-001")
    assert 'name="category"' in site_page
    posted = asker.client.post(f"/admin/sites/MAPO-001/compartments/{label}/open",
                               data={"category": "door-fault", "reason": "door jammed",
                                     "csrf_token": csrf_from(site_page)}, follow_redirects=True)
    assert "waits for another operator" in posted.get_data(as_text=True)
    assert _commands(api) == []
    mine = asker.text("/admin/open-requests")
    assert "waiting for another operator" in mine and "Approve and open" not in mine

    second = AdminBrowser(app.test_client())
    second.login("mapo_ops2")
    page = second.text("/admin/open-requests")
    assert "door jammed" in page and "Approve and open" in page
    request_id = int(page.split('data-request="')[1].split('"')[0])
    done = second.post_form(f"/admin/open-requests/{request_id}/approve", {}, "/admin/open-requests")
    assert done.status_code == 302
    assert _commands(api) == [label]
    assert "No open requests are waiting" in second.text("/admin/open-requests")
    del tokens


def test_viewers_do_not_see_the_last_four_digits_where_they_are_a_second_factor(app, api, sms):
    from tests.admin_support import assert_no_full_number

    tokens = make_admins(app)
    parcel_id, _ = _stored(api, app)
    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET require_phone_suffix = true WHERE code = 'MAPO-001'"))
        db.session.commit()
    places = (f"/admin/api/parcels/{parcel_id}", "/admin/api/messages", "/admin/api/parcels",
              "/admin/api/messages.csv", f"/admin/parcels/{parcel_id}")
    viewer = AdminBrowser(app.test_client())
    viewer.login("mapo_viewer")
    for path in places:
        text = viewer.text(path)
        assert "5678" not in text and "+82 10-****-****" in text, path
        assert_no_full_number(text)
    operator = api.client.get(f"/admin/api/parcels/{parcel_id}", headers=bearer(tokens["mapo_ops"])).get_json()
    assert operator["recipient"] == "+82 10-****-5678"
    # A site without the second factor shows the viewer the last four digits as before.
    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET require_phone_suffix = false WHERE code = 'MAPO-001'"))
        db.session.commit()
    assert "+82 10-****-5678" in viewer.text(f"/admin/api/parcels/{parcel_id}")


def test_two_operators_approving_at_once_open_the_door_once(app, api, sms):
    """Real threads against a threaded server: the request row is locked, so one approval wins."""
    import threading

    import requests
    from werkzeug.serving import make_server

    tokens = make_admins(app)
    _, label = _stored(api, app)
    request_id = _open(api, tokens["mapo_ops"], label).get_json()["request"]["id"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    ready, outcomes = threading.Barrier(3), []

    def approve(username: str) -> None:
        ready.wait()
        answer = requests.post(f"{base}/admin/api/open-requests/{request_id}/approve", timeout=60,
                               headers=bearer(tokens[username]))
        outcomes.append(answer.status_code)

    try:
        threads = [threading.Thread(target=approve, args=(name,)) for name in ("mapo_ops2", "city", "city")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.shutdown()
    assert sorted(outcomes) == [202, 409, 409]
    assert _commands(api) == [label]
    assert _actions(app).count("door.remote_open_approved") == 1
