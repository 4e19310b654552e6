"""The offline endpoints' bodies and answers, for the OpenAPI document (and the replay's body check)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..openapi.schemas import Body


class VerifiersQuery(Schema):
    since = fields.String(metadata={"description": "the cursor of the last answer; none for the whole set"})
    queue_length = fields.Integer(validate=validate.Range(0, 10_000_000),
                                  metadata={"description": "pickups the agent still has to replay"})


class VerifierOut(Schema):
    id = fields.Integer(required=True, metadata={"description": "the code's id, named again in a replay"})
    kind = fields.String(required=True, metadata={"enum": ["pickup", "return"]})
    verifier = fields.String(required=True, metadata={"description": "hex scrypt(code[:phone_suffix], salt)"})
    phone_suffix = fields.Boolean(required=True, metadata={"description": "the phone's last 4 digits are hashed too"})
    compartment = fields.String(required=True)
    size = fields.String(required=True)
    not_after = fields.String(allow_none=True, metadata={"format": "date-time"})


class VerifiersOut(Schema):
    site = fields.String(required=True)
    enabled = fields.Boolean(required=True, metadata={"description": "false: offline pickup is off for the site"})
    now = fields.String(required=True, metadata={"format": "date-time", "description": "the service's clock"})
    cursor = fields.String(required=True)
    salt = fields.String(allow_none=True)
    params = fields.Dict(required=True)
    phone_suffix_required = fields.Boolean(required=True)
    full = fields.Boolean(required=True, metadata={"description": "the answer is the whole set, not changes"})
    verifiers = fields.List(fields.Nested(VerifierOut), required=True)
    active = fields.List(fields.Integer(), required=True,
                         metadata={"description": "every verifier still active; drop the others"})


class ReplayItemIn(Body):
    key = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.OneOf(["pickup", "return"]))
    code_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    at = fields.String(required=True, metadata={"format": "date-time"})
    compartment = fields.String(validate=validate.Length(max=8))


class ReplayIn(Body):
    items = fields.List(fields.Nested(ReplayItemIn), required=True, validate=validate.Length(max=200))
    queue_length = fields.Integer(validate=validate.Range(0, 10_000_000))
    failures = fields.Integer(validate=validate.Range(0, 10_000_000),
                              metadata={"description": "codes rejected offline since the last replay"})


class ReplayResultOut(Schema):
    key = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"enum": ["settled", "taken-twice", "conflict", "unknown"]})
    replayed = fields.Boolean(required=True, metadata={"description": "this key was settled before"})


class ReplayOut(Schema):
    results = fields.List(fields.Nested(ReplayResultOut), required=True)


class AgentKioskOut(Schema):
    kiosk = fields.Integer(required=True)
    site = fields.String(required=True)
    online = fields.Boolean(required=True)
    last_seen = fields.String(allow_none=True)
    last_sync = fields.String(allow_none=True)
    queue_length = fields.Integer(required=True)


class KioskListOut(Schema):
    kiosks = fields.List(fields.Nested(AgentKioskOut), required=True)
