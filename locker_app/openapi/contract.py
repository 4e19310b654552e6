"""`@contract(...)`: what an operation takes and answers, kept on the view for the OpenAPI document,
and the JSON body checked against its marshmallow schema before the view runs.

Views keep reading the body as before; the check only makes sure that what they read has the documented
types, and answers otherwise with the same problem+json slugs (400 invalid-input, invalid-json, 415)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any

from marshmallow import Schema, ValidationError

from ..services.errors import InvalidInput
from ..web.parsing import json_object

Answer = type[Schema] | str | None  # a schema, "csv", or None for an empty answer


@dataclass(frozen=True)
class Contract:
    summary: str
    responses: dict[int, Answer]
    auth: str | None
    body: type[Schema] | None = None
    body_optional: bool = False
    form: type[Schema] | None = None
    query: type[Schema] | None = None
    idempotent: bool = False
    links: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    description: str = ""


def _first_error(messages: Any, prefix: str = "") -> tuple[str, str]:
    if isinstance(messages, dict):
        name, inner = next(iter(messages.items()))
        return _first_error(inner, f"{prefix}.{name}" if prefix else str(name))
    if isinstance(messages, list) and messages:
        return _first_error(messages[0], prefix)
    return prefix, str(messages)


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema: making one copies its fields (~50 µs a request), and loading does not change it."""
    return schema()


def validated(schema: type[Schema], optional: bool = False) -> dict[str, Any]:
    body = json_object(optional=optional)
    try:
        loaded: dict[str, Any] = _instance(schema).load(body)
    except ValidationError as exc:
        name, message = _first_error(exc.messages)
        raise InvalidInput(f"{name}: {message}" if name else message, field=name) from exc
    return loaded


def contract(summary: str, *, responses: dict[int, Answer], auth: str | None, body: type[Schema] | None = None,
             body_optional: bool = False, form: type[Schema] | None = None, query: type[Schema] | None = None,
             idempotent: bool = False, links: dict[int, dict[str, dict[str, Any]]] | None = None,
             description: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    described = Contract(summary, responses, auth, body, body_optional, form, query, idempotent, links or {},
                         description)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if body is not None:
                validated(body, body_optional)
            return view(*args, **kwargs)

        checked.openapi = described  # type: ignore[attr-defined]
        return checked

    return decorate
