"""A JSON answer with its status: the one way the JSON endpoints shape a success (problems.py shapes failures)."""

from __future__ import annotations

from flask import Response, jsonify


def json_answer(payload: object, status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response
