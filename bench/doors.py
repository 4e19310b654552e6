"""A door opened by a code: from the pickup request at the locker agent to the board's feedback reading open.

The locker agent (kiosk/locker_agent, in this process, built by its own composition root `Agent`) in front of the
service under gunicorn (a bench schema, a kiosk token from bench/database.py's seed), its bus on the simulated
boards (`locker-board-sim`, a process of its own on free ports, 7 boards for a site's 100 doors). The agent answers
a pickup only after its confirming status read saw the door open, so the page's round trip is the figure. Each
round also times the same pickup straight to the service, and the agent's board driver is wrapped to time every
request on the bus, so the report splits the total into the bus (the board's share) and the rest (agent and
service). After each pickup the door is shut through the simulator's control interface and the parcel put back
(SQL, untimed). Pickups are spaced past the agent's pulse gap (bus.PULSE_GAP), as residents are.

    .venv/bin/python -m bench.doors [--samples 40]
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from locker_agent.boards import BoardDriver
from locker_agent.bus import PULSE_GAP
from locker_agent.cu16 import CU16Driver
from locker_agent.doormap import DoorMap
from locker_agent.frames import LOCKS_PER_BOARD, BoardStatus
from locker_agent.main import Agent, Settings
from locker_app.services.provisioning import compartment_labels

from . import database
from .database import ROOT_DIR, SITE_SIZE, kiosk_token
from .server import Service, free_port
from .stats import percentile


class TimedDriver:
    """The agent's board driver, every request timed: (started, ended) perf_counter pairs, in order."""

    def __init__(self, driver: BoardDriver) -> None:
        self.driver = driver
        self.calls: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    def _timed(self, call: Any, *args: int) -> Any:
        started = time.perf_counter()
        try:
            return call(*args)
        finally:
            with self._lock:
                self.calls.append((started, time.perf_counter()))

    def status(self, board: int) -> BoardStatus:
        result: BoardStatus = self._timed(self.driver.status, board)
        return result

    def pulse(self, board: int, lock: int) -> BoardStatus | None:
        result: BoardStatus | None = self._timed(self.driver.pulse, board, lock)
        return result

    def close(self) -> None:
        self.driver.close()

    def busy_between(self, start: float, end: float) -> float:
        """Seconds the bus spent on requests inside [start, end] (the watcher's polls in that window included:
        they are the bus's share too)."""
        with self._lock:
            return sum(min(b, end) - max(a, start) for a, b in self.calls if b > start and a < end)


def door_map(site_size: int = SITE_SIZE) -> str:
    """Every compartment label of a bench site on its own lock: label i on board i // 16, lock i % 16."""
    return ",".join(f"{label}={i // LOCKS_PER_BOARD}:{i % LOCKS_PER_BOARD}"
                    for i, label in enumerate(compartment_labels(site_size)))


def boards_for(site_size: int = SITE_SIZE) -> int:
    return -(-site_size // LOCKS_PER_BOARD)


@dataclass
class DoorRun:
    total: list[float] = field(default_factory=list)  # seconds, agent request -> answer (feedback read open)
    bus: list[float] = field(default_factory=list)  # of which on the bus
    direct: list[float] = field(default_factory=list)  # the same pickup straight to the service
    silent_total: list[float] = field(default_factory=list)  # boards that send no status after a pulse
    errors: list[str] = field(default_factory=list)

    @property
    def agent_service(self) -> list[float]:
        return [t - b for t, b in zip(self.total, self.bus, strict=True)]


class BoardSim:
    def __init__(self, boards: int) -> None:
        self.bus_port, self.control_port = free_port(), free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "locker_agent.sim", "--listen", f"127.0.0.1:{self.bus_port}", "--control",
             f"127.0.0.1:{self.control_port}", "--boards", str(boards)], cwd=ROOT_DIR,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.control("GET", "/state")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("locker-board-sim did not start")

    def control(self, method: str, path: str) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=5)
        conn.request(method, path, b"{}" if method == "POST" else None, {"Content-Type": "application/json"})
        answer = json.loads(conn.getresponse().read() or b"{}")
        conn.close()
        return answer

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _post(conn: http.client.HTTPConnection, path: str, body: dict[str, Any],
          headers: dict[str, str]) -> tuple[int, Any]:
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")


def run_doors(samples: int, silent_samples: int) -> DoorRun:
    run = DoorRun()
    labels = compartment_labels(SITE_SIZE)
    with database.bench_schema("doors") as schema:
        seeded = database.seed(schema, sites=1, parcels=20, parcel_sites=1, known=20)
        service = Service(schema)
        sim = BoardSim(boards_for())
        site_id = seeded.known[0][0]
        driver = TimedDriver(CU16Driver(f"socket://127.0.0.1:{sim.bus_port}"))
        agent = Agent(Settings(server=f"http://127.0.0.1:{service.port}", kiosk_token=kiosk_token(site_id),
                               board=f"socket://127.0.0.1:{sim.bus_port}", doors=DoorMap.parse(door_map()),
                               listen=("127.0.0.1", 0)), driver=driver)
        agent.start()
        try:
            to_agent = http.client.HTTPConnection("127.0.0.1", agent.server.port, timeout=30)
            to_service = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
            token = {"Authorization": f"Bearer {kiosk_token(site_id)}"}
            for n in range(samples + silent_samples + 2):  # the first two warm both paths and are not counted
                silent = n >= samples + 2
                if n == samples + 2:
                    for board in range(boards_for()):
                        sim.control("POST", f"/boards/{board}/silent-unlock")
                _, parcel_id, code = seeded.known[n % len(seeded.known)]
                started = time.perf_counter()
                status, answer = _post(to_service, "/kiosk/v1/pickup", {"code": code}, token)
                direct = time.perf_counter() - started
                database.reset_picked_up(schema, [parcel_id])
                if status != 200:
                    run.errors.append(f"service {status}")
                    continue
                time.sleep(PULSE_GAP)  # a resident's pace: the next pulse on this board is never held back
                started = time.perf_counter()
                status, answer = _post(to_agent, "/kiosk/v1/pickup", {"code": code}, {})
                ended = time.perf_counter()
                database.reset_picked_up(schema, [parcel_id])
                doors = answer.get("doors", {}) if isinstance(answer, dict) else {}
                if status != 200 or not doors or set(doors.values()) != {"opened"}:
                    run.errors.append(f"agent {status} {doors}")
                elif n >= 2:
                    (run.silent_total if silent else run.total).append(ended - started)
                    if not silent:
                        run.bus.append(driver.busy_between(started, ended))
                        run.direct.append(direct)
                for label in doors:
                    i = labels.index(label)
                    sim.control("POST", f"/boards/{i // LOCKS_PER_BOARD}/locks/{i % LOCKS_PER_BOARD}/close")
                time.sleep(PULSE_GAP)
            to_agent.close()
            to_service.close()
        finally:
            agent.stop()
            sim.stop()
            service.stop()
    return run


def report(run: DoorRun) -> None:
    def ms(values: list[float], q: float) -> str:
        return f"{1000 * percentile(values, q):.1f}" if values else "n/a"

    print(f"\nDoor opened by a code, through the locker agent and the simulated CU16 boards ({len(run.total)} "
          f"pickups, {len(run.errors)} errors{' ' + str(run.errors[:3]) if run.errors else ''})")
    print("| part | p50 ms | p99 ms |")
    print("|---|---|---|")
    for name, values in (("total: agent request -> feedback reads open", run.total),
                         ("  on the bus (status, pulse, confirming status)", run.bus),
                         ("  agent + service (total - bus)", run.agent_service),
                         ("pickup straight to the service, same run", run.direct),
                         ("total, boards that send no status after a pulse", run.silent_total)):
        print(f"| {name} | {ms(values, 0.5)} | {ms(values, 0.99)} |")
    print(f"ratio door_open_p99_ms: {ms(run.total, 0.99)}")
    print(f"ratio door_agent_service_p99_ms: {ms(run.agent_service, 0.99)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.doors", description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--silent-samples", type=int, default=5,
                        help="pickups with boards that send no status after a pulse (the slow case)")
    args = parser.parse_args(argv)
    report(run_doors(args.samples, args.silent_samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
