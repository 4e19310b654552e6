"""The offline verifier's test vectors, on the service's side (the agent's side: tests/agent/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from locker_app.offline.scheme import PARAMS, Params, verifier

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "kiosk" / "offline-verifier-vectors.json").read_text())


@pytest.mark.parametrize("case", VECTORS["vectors"], ids=lambda c: f"{c['code']}-n{c['params']['n']}")
def test_the_service_computes_every_vector(case):
    params = Params(n=case["params"]["n"], r=case["params"]["r"], p=case["params"]["p"], dklen=case["params"]["dklen"])
    assert verifier(case["code"], bytes.fromhex(case["salt"]), params, case["phone_suffix"]) == case["verifier"]


def test_the_vectors_pin_the_parameters_the_service_uses():
    assert any(case["params"] == PARAMS.as_json() for case in VECTORS["vectors"])
