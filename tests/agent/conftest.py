from __future__ import annotations

from collections.abc import Iterator

import pytest

from locker_agent.main import Agent
from locker_agent.sim import Simulator

from .support import live, start_agent, start_sim

__all__ = ["live"]


@pytest.fixture
def sim() -> Iterator[tuple[Simulator, str]]:
    simulator, url = start_sim()
    yield simulator, url
    simulator.stop()


@pytest.fixture
def agent(live, world, sim) -> Iterator[Agent]:
    running = start_agent(live.base, world.kiosk_token, sim[1])
    yield running
    running.stop()
