"""Schemathesis against the app in-process: every answer is in the document (status, content type,
body schema), and no input makes a 5xx."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.conftest import STRICT
from tests.contract.fuzz_support import EXAMPLES, load_schema, tokens

# Documented-valid bodies can still be refused by rules a JSON schema cannot say (a landline number,
# an unknown site, a parcel in another state), so a 4xx for schema-valid input is not a failure.
EXCLUDED = [positive_data_acceptance]
# CI (STRICT) runs a fixed set of examples, so that whether a change lands never depends on luck; a
# developer's `make test` draws new ones each time (raise LOCKER_FUZZ_EXAMPLES to explore further).
RESERVE = "POST /api/v1/sites/{site_code}/reservations"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_every_operation_answers_inside_its_contract(app, world, mode, backend):
    auth = tokens(app, world)
    schema = load_schema(app)
    examples = EXAMPLES if backend == "sqlite" else max(EXAMPLES // 4, 5)
    calls = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), derandomize=STRICT)
        @given(case=operation.as_strategy(generation_mode=mode, headers=auth.for_path(operation.path)))
        def exercise(case):
            nonlocal calls
            calls += 1
            response = case.call()
            case.validate_response(response, excluded_checks=EXCLUDED)

        try:
            exercise()
        except Unsatisfiable:
            # Nothing to negate: an operation with no parameters and no body has no invalid request.
            assert mode == GenerationMode.NEGATIVE, operation.label
    print(f"schemathesis {mode.value} on {backend}: {calls} calls in {time.monotonic() - started:.1f}s")
    assert calls >= examples


def test_stateful_sequences_follow_the_links(app, world, backend):
    """Reserve, then follow the document's links (get, deposit, cancel, resend, return) with the id."""
    from hypothesis.stateful import run_state_machine_as_test

    auth = tokens(app, world)
    schema = load_schema(app)
    calls = 0
    seen: Counter[str] = Counter()

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case):
            # The token goes into the case itself, so the auth check knows it was a valid one.
            case.headers = {**(case.headers or {}), **auth.for_path(case.path)}
            object.__setattr__(case, "_has_explicit_auth", True)
            if case.operation.label == RESERVE:
                # The stateless tests cover random sites and phones; here the sequences should get going.
                case.path_parameters = {**(case.path_parameters or {}), "site_code": "MAPO-001"}
                if isinstance(case.body, dict):
                    case.body = {**case.body, "recipient_phone": "010-1234-5678"}

        def after_call(self, response, case):
            nonlocal calls
            calls += 1
            seen[f"{case.operation.label} {response.status_code}"] += 1
            super().after_call(response, case)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # before_call may turn an invalid reservation into a valid one, so "invalid input was refused"
            # cannot be judged here; the stateless negative test above judges it.
            case.validate_response(response, excluded_checks=[*EXCLUDED, negative_data_rejection],
                                   transport_kwargs=kwargs or None, recorder=self.recorder)

    started = time.monotonic()
    examples = EXAMPLES if backend == "sqlite" else max(EXAMPLES // 4, 5)
    run_state_machine_as_test(Sequences, settings=settings(
        max_examples=examples, stateful_step_count=6, deadline=None, database=None,
        suppress_health_check=list(HealthCheck), derandomize=STRICT))
    print(f"schemathesis stateful on {backend}: {calls} calls in {time.monotonic() - started:.1f}s")
    print(dict(seen.most_common()))
    assert calls > 0
