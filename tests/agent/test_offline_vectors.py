"""The offline verifier's test vectors, on the agent's side (the service's side: tests/unit/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from locker_agent.verifier import check_params, verifier

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "kiosk" / "offline-verifier-vectors.json").read_text())


@pytest.mark.parametrize("case", VECTORS["vectors"], ids=lambda c: f"{c['code']}-n{c['params']['n']}")
def test_the_agent_computes_every_vector(case):
    params = check_params(case["params"])
    assert verifier(case["code"], bytes.fromhex(case["salt"]), params, case["phone_suffix"]) == case["verifier"]


@pytest.mark.parametrize("bad", [{"algorithm": "md5", "n": 1024, "r": 8, "p": 1, "dklen": 32},
                                 {"algorithm": "scrypt", "n": 1000, "r": 8, "p": 1, "dklen": 32},
                                 {"algorithm": "scrypt", "n": 2**30, "r": 8, "p": 1, "dklen": 32},
                                 {"algorithm": "scrypt", "n": 1024, "r": True, "p": 1, "dklen": 32}, None])
def test_parameters_from_the_wire_are_checked_before_hashing(bad):
    with pytest.raises(ValueError):
        check_params(bad)
