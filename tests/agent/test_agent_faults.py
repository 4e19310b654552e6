"""Bad input and faults (issue 13): boards that do not answer, answer late, garble or misaddress their
answers, two opens on one board, the service unreachable, a bad request to the agent. None may crash
the agent or leave the page waiting."""

from __future__ import annotations

import itertools
import socket
import threading
import time

import pytest
import requests

from locker_agent.bus import PULSE_GAP

from .support import rows, start_agent, stored_parcel, unlocks, wait_for


@pytest.fixture
def backend() -> str:
    """These are the agent's faults, not the database's: SQLite is enough (test_agent_loop runs on both)."""
    return "sqlite"


def _pickup(agent, code):
    return requests.post(f"{agent.url}kiosk/v1/pickup", json={"code": code}, timeout=15)


@pytest.mark.parametrize("fault", [
    ("/boards/0/mute", {}),
    ("/boards/0/late", {"seconds": 0.5}),
    ("/boards/0/corrupt", {"count": 1000}),
    ("/boards/0/misaddress", {"count": 1000}),
], ids=["unanswering", "late", "bad-checksum", "other-address"])
def test_a_board_fault_is_a_failed_opening_and_a_door_fault_never_a_success(app, api, sms, agent, sim, fault):
    simulator, _ = sim
    _, code = stored_parcel(app, api, sms)
    simulator.control(*fault)

    started = time.monotonic()
    answer = _pickup(agent, code)

    assert answer.status_code == 200 and answer.json()["doors"] == {"A01": "failed"}
    assert time.monotonic() - started < 6, "the page waited too long"
    assert wait_for(lambda: rows(app, "SELECT id FROM events WHERE action = 'door.fault'"))
    # The agent lives on: the board answers again and the next door opens.
    simulator.control("/boards/0/unmute", {})
    simulator.control("/boards/0/late", {"seconds": 0})
    simulator.control("/boards/0/corrupt", {"count": 0})
    simulator.control("/boards/0/misaddress", {"count": 0})
    _, second = stored_parcel(app, api, sms)
    assert _pickup(agent, second).json()["doors"] == {"A02": "opened"}
    assert wait_for(lambda: agent.status()["doors"]["A02"] == "open")


def test_an_unanswering_board_shows_its_doors_unknown(agent, sim):
    simulator, _ = sim
    assert wait_for(lambda: agent.status()["doors"]["A04"] == "closed")
    simulator.control("/boards/1/mute", {})
    assert wait_for(lambda: agent.status()["doors"]["A04"] == "unknown", timeout=3)
    assert agent.status()["doors"]["A01"] == "closed"  # the other board is still watched


def test_a_board_that_sends_nothing_after_an_unlock_still_opens_by_its_status(app, api, sms, agent, sim):
    simulator, _ = sim
    simulator.control("/boards/0/silent-unlock", {})
    _, code = stored_parcel(app, api, sms)
    assert _pickup(agent, code).json()["doors"] == {"A01": "opened"}


def test_two_opens_at_once_on_one_board_are_never_pulsed_together(app, api, sms, agent, sim):
    simulator, _ = sim
    codes = [stored_parcel(app, api, sms)[1] for _ in range(3)]  # A01, A02, A03: all on board 0
    simulator.control("/reset-log", {})
    answers: list = []
    threads = [threading.Thread(target=lambda c=c: answers.append(_pickup(agent, c).json())) for c in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert sorted(next(iter(a["doors"].values())) for a in answers) == ["opened"] * 3
    assert sorted(unlocks(simulator)) == ["02 03 31 03 39", "02 04 31 03 3a", "02 05 31 03 3b"]
    pulses = [at for frame, at in zip(simulator.received, simulator.received_at, strict=True) if frame[2] == 0x31]
    gaps = [b - a for a, b in itertools.pairwise(pulses)]
    assert min(gaps) >= PULSE_GAP * 0.95, gaps


def test_the_service_unreachable_answers_locker_offline_at_once(world, sim):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    agent = start_agent(dead, world.kiosk_token, sim[1])
    try:
        started = time.monotonic()
        answer = requests.post(f"{agent.url}kiosk/v1/pickup", json={"code": "12345678"}, timeout=15)
        assert time.monotonic() - started < 5
        assert answer.status_code == 503
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.json()["type"] == "locker-offline"
        assert not unlocks(sim[0])
        status = requests.get(f"{agent.url}agent/v1/status", timeout=5).json()
        assert status["online"] is False and status["last_sync"] is None
        assert requests.get(f"{agent.url}kiosk/v1/site", timeout=5).status_code == 503
    finally:
        agent.stop()


def test_a_bus_that_is_gone_fails_openings_without_hanging(app, api, sms, live, world):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        gone = f"socket://127.0.0.1:{probe.getsockname()[1]}"
    agent = start_agent(live.base, world.kiosk_token, gone)
    try:
        _, code = stored_parcel(app, api, sms)
        started = time.monotonic()
        assert _pickup(agent, code).json()["doors"] == {"A01": "failed"}
        assert time.monotonic() - started < 6
        assert agent.status()["doors"]["A01"] == "unknown"
    finally:
        agent.stop()


def test_the_services_refusals_pass_through_and_open_nothing(agent, sim):
    answer = _pickup(agent, "00000000")
    assert answer.status_code == 403 and answer.json()["type"] == "code-rejected"
    assert "doors" not in answer.json()
    assert requests.post(f"{agent.url}kiosk/v1/pickup", data=b"{not json", timeout=5,
                         headers={"Content-Type": "application/json"}).status_code == 400
    assert not unlocks(sim[0])


def test_the_status_is_cheap_current_and_says_online(agent, live):
    assert wait_for(lambda: agent.status()["online"])  # the command poll has reached the service
    started = time.monotonic()
    status = requests.get(f"{agent.url}agent/v1/status", timeout=5)
    assert time.monotonic() - started < 0.5
    body = status.json()
    assert body["online"] is True and body["last_sync"].endswith("Z")
    assert set(body["doors"]) == {"A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A09"}
    assert set(body["doors"].values()) <= {"closed", "open", "unknown"}


def test_the_agent_serves_the_page_marked_as_behind_it_and_nothing_else(agent):
    page = requests.get(agent.url, timeout=5)
    assert page.status_code == 200 and '<meta name="locker-agent" content="1">' in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert requests.get(f"{agent.url}js/app.js", timeout=5).headers["Content-Type"].startswith("text/javascript")
    for path in ("locker_agent/main.py", "../pyproject.toml", "js/%2e%2e/%2e%2e/pyproject.toml", "README.md",
                 "kiosk/v2/x", "nothing.js"):
        assert requests.get(f"{agent.url}{path}", timeout=5).status_code == 404, path


def test_requests_from_another_origin_or_host_are_refused(agent):
    port = agent.server.port
    assert requests.get(f"{agent.url}kiosk/v1/site", headers={"Host": f"evil.example:{port}"},
                        timeout=5).status_code == 403
    assert requests.post(f"{agent.url}kiosk/v1/pickup", json={"code": "12345678"}, timeout=5,
                         headers={"Origin": "http://evil.example"}).status_code == 403
    assert requests.post(f"{agent.url}kiosk/v1/pickup", data=b"x" * 70_000, timeout=5).status_code == 413
    assert requests.delete(f"{agent.url}agent/v1/status", timeout=5).status_code == 405


def test_a_door_left_open_raises_one_alert(app, api, sms, live, world, sim):
    agent = start_agent(live.base, world.kiosk_token, sim[1], left_open_after=1.0)
    try:
        _, code = stored_parcel(app, api, sms)
        assert _pickup(agent, code).json()["doors"] == {"A01": "opened"}
        assert wait_for(lambda: rows(app, "SELECT detail FROM events WHERE action = 'door.alert'"), timeout=4)
        time.sleep(1.5)
        found = rows(app, "SELECT detail FROM events WHERE action = 'door.alert'")
        assert len(found) == 1 and "left-open" in str(found[0].detail)
    finally:
        agent.stop()
