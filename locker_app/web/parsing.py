"""Reading request bodies and query strings strictly."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from ..services.errors import InvalidInput
from .problems import InvalidJson, UnsupportedMediaType


def json_object(*, optional: bool = False) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if optional:
            return {}
        raise InvalidJson("the request needs a JSON object body")
    if not request.is_json:
        raise UnsupportedMediaType("set Content-Type: application/json")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidJson("the body could not be parsed as JSON") from exc
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return body


def query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    # isdigit() alone admits "¹" and other digits int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}", field=name)
    return int(raw)
