"""Reading request bodies and query strings strictly."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, g, request

from ..services.errors import InvalidInput, NotFound
from .problems import InvalidJson, UnsupportedMediaType

_NUL = "\x00"
_NO_NUL = "text may not contain NUL characters"
# No body of ours nests deeper than 3; past this a body is refused before anything walks it (the json
# module's recursion limit, near 1,000 levels, was a RecursionError and a 500).
MAX_JSON_DEPTH = 32


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return _NUL in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def refuse_nul_characters() -> None:
    """PostgreSQL cannot store or compare NUL in text and fails the statement (a 500, found by fuzzing); SQLite
    would take it. Nothing of ours has a use for it, so it is refused before anything reads the database: in a path
    it names nothing that exists (404, which every operation with a path parameter documents), elsewhere 400."""
    # Nothing is named with a control character either; a CR/LF in a door label reached a Location
    # header (werkzeug refuses to send one: a 500).
    if any(isinstance(value, str) and not value.isprintable() for value in (request.view_args or {}).values()):
        raise NotFound("there is nothing by that name")
    fields = [*request.args.lists()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        request.get_data(cache=True)  # kept, so that a view reading the raw body still finds it after the form
        fields += request.form.lists()
    if any(_has_nul(name) or _has_nul(values) for name, values in fields):
        raise InvalidInput(_NO_NUL)


def install_input_guard(app: Flask) -> None:
    app.before_request(refuse_nul_characters)


def _too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Walks without recursion, so a deep body cannot exhaust the stack here either."""
    todo = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            todo.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            todo.extend((child, depth + 1) for child in item)
    return False


def json_object(*, optional: bool = False) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if optional:
            return {}
        raise InvalidJson("the request needs a JSON object body")
    if not request.is_json:
        raise UnsupportedMediaType("set Content-Type: application/json")
    parsed: dict[str, Any] | None = g.get("_json_object")
    if parsed is not None:  # the contract's check and the view both read it: parsed and checked once
        return parsed
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidJson("the body could not be parsed as JSON") from exc
    except RecursionError as exc:
        raise InvalidJson(f"the body nests deeper than {MAX_JSON_DEPTH} levels") from exc
    if _too_deep(body):
        raise InvalidJson(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    if _has_nul(body):
        raise InvalidInput(_NO_NUL)
    g._json_object = body
    return body


def query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    # isdigit() alone admits "¹" and other digits int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}", field=name)
    return int(raw)
