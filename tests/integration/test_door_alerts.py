"""POST /kiosk/v1/doors/<label>/alert: what the locker agent's door watcher raises (a door left open, a
door opened by no command), recorded as a door.alert event for admins; the compartment stays in service."""

from __future__ import annotations

import json

import sqlalchemy as sa

from locker_app.extensions import db
from tests.conftest import row_counts


def _kiosk(api):
    return {"Authorization": f"Bearer {api.world.kiosk_token}"}


def _events(app):
    with app.app_context():
        found = db.session.execute(sa.text("SELECT actor, detail, compartment_id FROM events "
                                           "WHERE action = 'door.alert'")).all()
        db.session.rollback()
    return [(actor, json.loads(detail) if isinstance(detail, str) else detail, c) for actor, detail, c in found]


def test_a_door_alert_is_an_event_admins_see_and_leaves_the_door_in_service(app, api):
    answer = api.client.post("/kiosk/v1/doors/A02/alert", headers=_kiosk(api),
                             json={"kind": "forced", "reason": "the door opened without a command"})
    assert answer.status_code == 202
    assert answer.get_json() == {"compartment": "A02", "alert": "forced"}
    [(actor, detail, compartment)] = _events(app)
    assert actor.startswith("kiosk:") and compartment is not None
    assert detail["kind"] == "forced" and detail["label"] == "A02"
    assert detail["reason"] == "the door opened without a command"
    with app.app_context():
        in_service = db.session.execute(sa.text("SELECT in_service FROM compartments WHERE label = 'A02' "
                                                "ORDER BY id LIMIT 1")).scalar_one()
    assert in_service in (True, 1)
    assert api.client.post("/kiosk/v1/doors/A02/alert", headers=_kiosk(api),
                           json={"kind": "left-open"}).status_code == 202


def test_bad_door_alerts_are_refused_and_change_nothing(app, api):
    before = row_counts(app)
    for body, status in [({"kind": "exploded"}, 400), ({}, 400), ({"kind": "forced", "reason": 7}, 400),
                         ({"kind": "forced", "reason": "x" * 501}, 400), (None, 400)]:
        answer = api.client.post("/kiosk/v1/doors/A02/alert", headers=_kiosk(api), json=body)
        assert answer.status_code == status, (body, answer.get_json())
        assert answer.headers["Content-Type"] == "application/problem+json"
    assert api.client.post("/kiosk/v1/doors/Z99/alert", headers=_kiosk(api),
                           json={"kind": "forced"}).status_code == 404
    assert api.client.post("/kiosk/v1/doors/A02/alert", json={"kind": "forced"}).status_code == 401
    after = row_counts(app)
    # Only the kiosk's last_seen_at moved; no event, no compartment change.
    assert after == before
