"""The OpenAPI 3 document, built from the app's URL map and the `@contract` on each view."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema

from .contract import Contract
from .schemas import NO_NUL, PRINTABLE, Problem

PROBLEM_JSON = "application/problem+json"
_PARAM = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_SECURITY = {"courier": "courierToken", "kiosk": "kioskToken", "admin": "adminToken"}
_REASONS = {
    200: "OK", 201: "Created", 204: "No content", 400: "Bad input (invalid-input, invalid-json, ...)",
    401: "No valid bearer token (unauthorized)", 402: "A storage fee is due (payment-required)",
    403: "Refused (forbidden, code-rejected, bad-signature)", 404: "Not found (not-found)",
    409: "Conflict with the current state", 413: "Body too large (body-too-large)",
    415: "Body is not application/json (unsupported-media-type)",
    422: "Idempotency-Key reused with another body (idempotency-key-reused)",
    429: "Too many requests (too-many-requests, keypad-locked, resend-limit, sms-cap-reached)",
    503: "The database is unavailable for a moment (service-unavailable); safe to retry",
}


# Path parameters that exist in `seed-demo`'s data, so that a client trying the document against a demo
# (an outside fuzzer's first calls, and the start of its stateful phase) reaches something other than 404.
PATH_EXAMPLES = {"site_code": "MAPO-001", "label": "A01", "site": "MAPO-001"}
# A name with a control character names nothing (404, web/parsing.py).
_PATH_TEXT = {"type": "string", "minLength": 1, "pattern": PRINTABLE}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before asking again", "required": True,
                               "schema": {"type": "integer", "minimum": 1}}}


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _PARAM.finditer(rule):
        schema = {"type": "integer"} if match["converter"] == "int" else dict(_PATH_TEXT)
        param = {"name": match["name"], "in": "path", "required": True, "schema": schema}
        if match["name"] in PATH_EXAMPLES:
            param["example"] = PATH_EXAMPLES[match["name"]]
        params.append(param)
    return _PARAM.sub(lambda m: "{" + m["name"] + "}", rule), params


def _statuses(described: Contract, has_path_params: bool) -> dict[int, Any]:
    statuses: dict[int, Any] = {status: _PROBLEM for status in (503,)}
    if described.auth:
        statuses[401] = _PROBLEM
        statuses[429] = _PROBLEM
    if described.body is not None or described.form is not None or described.idempotent:
        statuses.update({400: _PROBLEM, 413: _PROBLEM, 415: _PROBLEM})
    if described.query is not None:
        statuses[400] = _PROBLEM
        if "site" in described.query._declared_fields:  # a filter naming an unknown site
            statuses[404] = _PROBLEM
    if described.idempotent:
        statuses.update({409: _PROBLEM, 422: _PROBLEM})
    if has_path_params:
        statuses[404] = _PROBLEM
    statuses.update(described.responses)
    return statuses


_PROBLEM = "problem"


def _answer(status: int, answer: Any, described: Contract) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _REASONS.get(status, "")}
    if answer is None:
        return response
    if answer == _PROBLEM:
        response["content"] = {PROBLEM_JSON: {"schema": "Problem"}}
    elif answer == "csv":
        response["content"] = {"text/csv": {"schema": {"type": "string"}}}
    else:
        response["content"] = {"application/json": {"schema": answer}}
    if status in described.links:
        response["links"] = described.links[status]
    if status == 429:  # every 429 says when to ask again (web/problems.py sets one where a service did not)
        response["headers"] = RETRY_AFTER
    return response


def _operation(endpoint: str, method: str, described: Contract, path_params: list[dict[str, Any]]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.replace(".", "_"),
        "summary": described.summary,
        "tags": [endpoint.split(".")[0]],
        "parameters": list(path_params),
        "responses": {str(status): _answer(status, answer, described)
                      for status, answer in sorted(_statuses(described, bool(path_params)).items())},
    }
    if described.description:
        operation["description"] = described.description
    if described.auth:
        operation["security"] = [{_SECURITY[described.auth]: []}]
    if described.idempotent:
        operation["parameters"].append({
            "name": "Idempotency-Key", "in": "header", "required": True,
            "description": "unique per intended action; a retry with the same key gets the same answer",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"}})
    if described.query is not None:
        operation["parameters"].append({"in": "query", "schema": described.query})
    if described.body is not None:
        operation["requestBody"] = {"required": not described.body_optional,
                                    "content": {"application/json": {"schema": described.body}}}
    if described.form is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/x-www-form-urlencoded": {"schema": described.form}}}
    return operation


def _schema_name(resolver_schema: type[Schema] | Schema) -> str:
    cls = resolver_schema if isinstance(resolver_schema, type) else type(resolver_schema)
    return cls.__name__.removesuffix("Schema")


def build_spec(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="Parcel locker service",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": "Courier, kiosk, admin and webhook APIs. Every error is application/problem+json "
                             "with a stable `type` slug."},
    )
    for name in _SECURITY.values():
        spec.components.security_scheme(name, {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=Problem)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        described = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if not isinstance(described, Contract):
            continue
        path, params = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule.endpoint, method, described, params)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    _refuse_nul_in_requests(document)
    return document


def _no_nul(schema: dict[str, Any]) -> None:
    """Every request string without a pattern, enum or format of its own is at least free of NUL."""
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        schema["pattern"] = NO_NUL
    for child in (schema.get("properties") or {}).values():
        _no_nul(child)
    if isinstance(schema.get("items"), dict):
        _no_nul(schema["items"])


def _refuse_nul_in_requests(document: dict[str, Any]) -> None:
    components = document.get("components", {}).get("schemas", {})
    bodies: set[str] = set()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("query", "path") and "schema" in parameter:
                    _no_nul(parameter["schema"])
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref", "")
                if ref:
                    bodies.add(ref.rsplit("/", 1)[-1])
                else:
                    _no_nul(content.get("schema", {}))
    for name in bodies:
        if name in components:
            _no_nul(components[name])
