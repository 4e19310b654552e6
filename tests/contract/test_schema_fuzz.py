"""Schemathesis against the app in-process: every answer is in the document (status, content type,
body schema), and no input makes a 5xx."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.contract.fuzz_support import EXAMPLES, load_schema, tokens

# Documented-valid bodies can still be refused by rules a JSON schema cannot say (a landline number,
# an unknown site, a parcel in another state), so a 4xx for schema-valid input is not a failure.
EXCLUDED = [positive_data_acceptance]


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
                  suppress_health_check=list(HealthCheck))
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
