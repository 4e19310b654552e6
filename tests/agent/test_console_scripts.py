"""The two console scripts as the kiosk runs them: separate processes, the token from the environment."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .support import stored_parcel, wait_for

BIN = Path(sys.executable).parent


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_simulator_and_the_agent_as_processes_open_a_door(app, api, sms, live, world):
    sim = subprocess.Popen([str(BIN / "locker-board-sim"), "--listen", "127.0.0.1:0", "--boards", "1"],
                           stdout=subprocess.PIPE, text=True)
    agent = None
    try:
        bus = re.search(r"socket://[\d.]+:\d+", sim.stdout.readline()).group(0)
        control = re.search(r"http://[\d.]+:\d+", sim.stdout.readline()).group(0)
        port = _free_port()
        env = {**os.environ, "LOCKER_AGENT_KIOSK_TOKEN": world.kiosk_token}
        agent = subprocess.Popen([str(BIN / "locker-agent"), "--server", live.base, "--board", bus,
                                  "--doors", "A01=0:7", "--listen", f"127.0.0.1:{port}"], env=env)
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return requests.get(f"{base}/agent/v1/status", timeout=1).json()["doors"]["A01"] == "closed"
            except requests.RequestException:
                return False

        assert wait_for(up, timeout=15)
        _, code = stored_parcel(app, api, sms)
        answer = requests.post(f"{base}/kiosk/v1/pickup", json={"code": code}, timeout=15)
        assert answer.json()["doors"] == {"A01": "opened"}
        state = requests.get(f"{control}/state", timeout=5).json()
        assert state["boards"][0]["doors"]["7"] == "open" and "02 07 31 03 3d" in state["received"]
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(10) == 0
    finally:
        for process in (agent, sim):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(5)
