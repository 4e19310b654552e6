"""Issue 14's done-when, end to end: a real service on a real port that is stopped and started again, the
agent, and the simulated boards on a TCP socket."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests
from werkzeug.serving import make_server

from tests.admin_support import create_admins

from .support import rows, start_agent, stored_parcel, unlocks, wait_for


class Service:
    """The app behind a werkzeug server that can be stopped and started again on the same port."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = 0
        self.server: Any = None
        self.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _pickup(agent: Any, code: str) -> requests.Response:
    return requests.post(f"{agent.url}kiosk/v1/pickup", json={"code": code}, timeout=15)


def test_with_the_service_stopped_the_right_code_opens_her_door_and_it_settles_when_it_is_back(
        app, api, sms, world, sim, tmp_path, clock):
    simulator, board = sim
    admins = create_admins(app)
    parcel, code = stored_parcel(app, api, sms)  # A01: board 0, lock 3
    service = Service(app)
    agent = start_agent(service.base, world.kiosk_token, board, state_dir=tmp_path, sync_every=1.0)
    try:
        assert wait_for(lambda: agent.status()["verifiers"] == 1, timeout=10)
        online_wrong = _pickup(agent, "00000000")  # the service's own answer to a wrong code
        assert online_wrong.status_code == 403
        simulator.control("/reset-log", {})

        service.stop()
        opened = _pickup(agent, code)

        assert opened.status_code == 200, opened.text
        assert opened.json()["compartments"] == ["A01"] and opened.json()["doors"] == {"A01": "opened"}
        assert unlocks(simulator) == ["02 03 31 03 39"]
        assert simulator.state()["boards"][0]["doors"]["3"] == "open"
        wrong = [_pickup(agent, guess) for guess in ("11111111", "22222222", "33333333", "44444444", code)]
        assert {(r.status_code, r.content) for r in wrong} == {(403, online_wrong.content)}
        paused = _pickup(agent, "55555555")
        assert paused.status_code == 429 and paused.json()["type"] == "keypad-locked"
        assert int(paused.headers["Retry-After"]) >= 55
        assert len(unlocks(simulator)) == 1

        # Restarted while offline: the queue and the verifiers survive.
        agent.stop()
        agent = start_agent(service.base, world.kiosk_token, board, state_dir=tmp_path, sync_every=1.0)
        assert agent.status()["queue_length"] == 1 and agent.status()["online"] is False

        service.start()
        back = time.monotonic()
        headers = {"Authorization": f"Bearer {admins.operator_token}"}

        def state() -> str:
            return requests.get(f"{service.base}/admin/api/parcels/{parcel['parcel_id']}", headers=headers,
                                timeout=5).json()["state"]

        assert wait_for(lambda: state() == "picked_up", timeout=60, every=0.2)
        assert time.monotonic() - back < 60
        assert wait_for(lambda: agent.status()["queue_length"] == 0)
        # The rejections made offline were replayed into the service's budget: it is paused there too.
        assert _pickup(agent, code).status_code == 429
        clock.advance(minutes=10)
        assert _pickup(agent, code).status_code == 403  # spent at the service too
        settled = rows(app, "SELECT actor, detail FROM events WHERE action = 'parcel.picked_up'")
        assert len(settled) == 1 and '"offline"' in str(settled[0].detail).replace("'", '"')
        assert rows(app, "SELECT count(*) AS n FROM keypad_failures")[0].n == 7  # 1 online, 5 offline, 1 now
        kiosks = requests.get(f"{service.base}/admin/api/kiosks", headers=headers, timeout=5).json()["kiosks"]
        mine = next(k for k in kiosks if k["site"] == "MAPO-001")
        assert mine["online"] is True and mine["queue_length"] == 0 and mine["last_sync"]
    finally:
        agent.stop()
        service.stop()


def test_replaying_the_same_queue_twice_changes_nothing_the_second_time(app, api, sms, world, sim, tmp_path):
    from tests.conftest import row_counts

    _, code = stored_parcel(app, api, sms)
    service = Service(app)
    agent = start_agent(service.base, world.kiosk_token, sim[1], state_dir=tmp_path, sync_every=3600)
    try:
        assert agent.syncer is not None
        agent.syncer.sync_once()
        service.stop()
        assert _pickup(agent, code).status_code == 200
        saved = agent.offline.queue.items()  # type: ignore[attr-defined]
        service.start()
        agent.syncer.replay()
        assert len(agent.offline.queue) == 0  # type: ignore[attr-defined]
        before = row_counts(app)

        for item in saved:  # the same queue, again (say the acknowledgement was lost)
            agent.offline.queue.add(item)  # type: ignore[attr-defined]
        agent.syncer.replay()

        assert row_counts(app) == before
        assert rows(app, "SELECT state FROM parcels")[0].state == "picked_up"
    finally:
        agent.stop()
        service.stop()


def test_offline_a_couriers_delivery_answers_that_the_locker_is_offline_for_deliveries(world, sim, tmp_path):
    agent = start_agent("http://127.0.0.1:9", world.kiosk_token, sim[1], state_dir=tmp_path)
    try:
        answer = requests.post(f"{agent.url}kiosk/v1/courier/session", json={"phone": "010", "pin": "1"},
                               timeout=15)
        assert answer.status_code == 503 and answer.json()["type"] == "locker-offline-deliveries"
    finally:
        agent.stop()
