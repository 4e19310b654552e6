"""The locker's invariants hold after every step of any sequence of service calls (see locker_machine.py):
1,000 examples on SQLite and 200 on PostgreSQL, on one migrated database wiped between examples."""

from __future__ import annotations

import os
import time
from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.conftest import STRICT
from tests.invariants.locker_machine import LockerMachine

EXAMPLES = {"sqlite": int(os.environ.get("LOCKER_MACHINE_EXAMPLES_SQLITE", "1000")),
            "postgresql": int(os.environ.get("LOCKER_MACHINE_EXAMPLES_PG", "200"))}


def test_locker_invariants_hold_after_every_step(app, clock, backend):
    class Machine(LockerMachine):
        pass

    Machine.app, Machine.clock, Machine.outcomes = app, clock, Counter()
    started = time.monotonic()
    run_state_machine_as_test(Machine, settings=settings(
        max_examples=EXAMPLES[backend], stateful_step_count=10, deadline=None, database=None, derandomize=STRICT,
        suppress_health_check=list(HealthCheck)))
    print(f"state machine on {backend}: {Machine.examples} examples, {Machine.steps_taken} steps "
          f"in {time.monotonic() - started:.1f}s")
    print(dict(sorted(Machine.outcomes.items())))
    assert Machine.examples >= EXAMPLES[backend]
