"""Issue 13's done-when, end to end: a real service on a real port, the agent, and the simulated boards
on a TCP socket; the real CU16 driver speaks over the byte stream, nothing is mocked."""

from __future__ import annotations

import time

import requests

from tests.admin_support import create_admins

from .support import detail, rows, stored_parcel, unlocks, wait_for


def _pickup(agent, code, **extra):
    return requests.post(f"{agent.url}kiosk/v1/pickup", json={"code": code, **extra}, timeout=15)


def test_pickup_through_the_agent_sends_one_unlock_and_answers_opened_once_the_board_says_so(
        app, api, sms, agent, sim):
    simulator, _ = sim
    _, code = stored_parcel(app, api, sms)  # the first S compartment: A01, wired to board 0 lock 3
    simulator.control("/reset-log", {})

    answer = _pickup(agent, code)  # no token: the agent holds it

    assert answer.status_code == 200, answer.text
    assert answer.json()["compartments"] == ["A01"]
    assert answer.json()["doors"] == {"A01": "opened"}
    assert unlocks(simulator) == ["02 03 31 03 39"]
    after = simulator.received[simulator.received.index(bytes.fromhex("0203310339")) + 1:]
    assert bytes.fromhex("0200300335") in after, "the opening was not confirmed by a status request"
    assert simulator.state()["boards"][0]["doors"]["3"] == "open"
    assert wait_for(lambda: agent.status()["doors"]["A01"] == "open")
    assert rows(app, "SELECT state FROM parcels")[0].state == "picked_up"


def test_latched_feedback_answers_failed_and_the_service_records_a_door_fault(app, api, sms, agent, sim):
    simulator, _ = sim
    _, code = stored_parcel(app, api, sms)
    simulator.control("/boards/0/locks/3/jam", {})

    started = time.monotonic()
    answer = _pickup(agent, code)

    assert answer.status_code == 200 and answer.json()["doors"] == {"A01": "failed"}
    assert time.monotonic() - started < 5
    fault = wait_for(lambda: rows(app, "SELECT detail FROM events WHERE action = 'door.fault'"))
    assert fault and "latched" in str(fault[0].detail)
    assert rows(app, "SELECT in_service FROM compartments WHERE label = 'A01' ORDER BY id LIMIT 1")[0].in_service \
        in (False, 0)
    assert len(unlocks(simulator)) == 1


def test_closing_the_door_on_the_board_reaches_the_service_within_two_seconds(app, api, sms, agent, sim):
    simulator, _ = sim
    _, code = stored_parcel(app, api, sms)
    assert _pickup(agent, code).json()["doors"] == {"A01": "opened"}

    simulator.control("/boards/0/locks/3/close", {})
    closed_at = time.monotonic()
    found = wait_for(lambda: rows(app, "SELECT parcel_id FROM events WHERE action = 'door.closed'"), timeout=2.0,
                     every=0.02)
    elapsed = time.monotonic() - closed_at
    assert found, "door.closed did not reach the service within 2 s"
    assert elapsed < 2.0 and found[0].parcel_id is not None
    assert agent.status()["doors"]["A01"] == "closed"
    time.sleep(1.2)  # more polls of the closed door: reported once
    assert len(rows(app, "SELECT id FROM events WHERE action = 'door.closed'")) == 1


def test_an_admin_remote_open_is_carried_out_and_acknowledged_with_no_browser(app, agent, sim, live):
    simulator, _ = sim
    admins = create_admins(app)
    asked = requests.post(f"{live.base}/admin/api/sites/MAPO-001/compartments/A04/open", timeout=10,
                          headers={"Authorization": f"Bearer {admins.operator_token}"},
                          json={"reason": "resident locked out, phoned the office"})
    assert asked.status_code == 202, asked.text

    acked = wait_for(lambda: rows(app, "SELECT result FROM kiosk_commands WHERE acked_at IS NOT NULL"), timeout=8)
    assert acked and acked[0].result == "opened"
    assert unlocks(simulator) == ["02 10 31 03 46"]  # A04 is board 1 lock 0
    assert simulator.state()["boards"][1]["doors"]["0"] == "open"
    # The door opened on our command: no "forced" alert.
    time.sleep(0.6)
    assert not rows(app, "SELECT id FROM events WHERE action = 'door.alert'")


def test_a_remote_open_of_a_door_the_agent_cannot_drive_is_acknowledged_failed(app, agent, sim, live):
    admins = create_admins(app)
    asked = requests.post(f"{live.base}/admin/api/sites/MAPO-001/compartments/A10/open", timeout=10,
                          headers={"Authorization": f"Bearer {admins.operator_token}"}, json={"reason": "test"})
    assert asked.status_code == 202
    acked = wait_for(lambda: rows(app, "SELECT result FROM kiosk_commands WHERE acked_at IS NOT NULL"), timeout=8)
    assert acked and acked[0].result == "failed"
    assert not unlocks(sim[0])
    assert wait_for(lambda: rows(app, "SELECT id FROM events WHERE action = 'door.fault'"))


def test_a_door_forced_open_raises_an_alert_at_once(app, agent, sim):
    simulator, _ = sim
    assert wait_for(lambda: agent.status()["doors"]["A05"] == "closed")
    simulator.control("/boards/1/locks/1/open", {})
    alert = wait_for(lambda: rows(app, "SELECT detail FROM events WHERE action = 'door.alert'"), timeout=2)
    assert alert and detail(alert[0])["kind"] == "forced" and detail(alert[0])["label"] == "A05"
