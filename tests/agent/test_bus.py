"""The bus's single owner, with the real CU16 driver against the simulator over socket://: one request at
a time whoever asks, and door openings ahead of the watcher's polls."""

from __future__ import annotations

import threading
import time

from locker_agent.bus import OPEN, POLL, BusActor
from locker_agent.cu16 import CU16Driver


def test_door_work_goes_ahead_of_queued_polls(sim):
    simulator, url = sim
    simulator.control("/boards/1/late", {"seconds": 0.2})  # each poll of board 1 takes 0.2 s
    bus = BusActor(CU16Driver(url))
    bus.start()
    try:
        polls = [bus.submit(lambda d: d.status(1), POLL) for _ in range(6)]
        time.sleep(0.05)  # the first poll is on the wire
        simulator.control("/reset-log", {})
        started = time.monotonic()
        assert bus.submit(lambda d: d.status(0), OPEN).result(5).board == 0
        assert time.monotonic() - started < 0.5, "the opening waited behind the polls"
        assert [f.result(5).board for f in polls] == [1] * 6
        assert simulator.received[0].hex(" ") == "02 00 30 03 35"
    finally:
        bus.stop()


def test_many_callers_share_the_bus_one_request_at_a_time(sim):
    simulator, url = sim
    simulator.control("/boards/0/late", {"seconds": 0.02})
    bus = BusActor(CU16Driver(url))
    bus.start()
    answers: list[int] = []
    errors: list[Exception] = []

    def ask(board: int) -> None:
        for _ in range(5):
            try:
                answers.append(bus.status(board).board * 10 + board)
            except Exception as error:  # any answer mixed up between two callers shows here
                errors.append(error)

    threads = [threading.Thread(target=ask, args=(n % 2,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    bus.stop()
    assert errors == [] and sorted(set(answers)) == [0, 11] and len(answers) == 30
