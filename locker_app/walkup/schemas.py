"""Request bodies and answers of the walk-up endpoints, for the contract check and the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..models import SIZES
from ..openapi.schemas import Body, EmptyIn, ParcelOut, StrictBoolean
from .reports import KINDS


class SignInIn(Body):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"example": "010-2222-3333"})
    # Not checked for its form here: a malformed PIN must get the same 403 as a wrong one.
    pin = fields.Raw(required=True, metadata={"type": "string", "example": "123456"})


class CourierOut(Schema):
    name = fields.String(required=True)
    carrier = fields.String(required=True)


class SessionOut(Schema):
    session = fields.String(required=True)
    expires_at = fields.String(required=True, metadata={"format": "date-time"})
    courier = fields.Nested(CourierOut, required=True)


class SignedOutOut(Schema):
    ended = fields.Boolean(required=True)


class DepositIn(Body):
    recipient_phone = fields.String(required=True, validate=validate.Length(min=1, max=32),
                                    metadata={"example": "010-1234-5678"})
    size = fields.String(required=True, validate=validate.OneOf(SIZES))
    tracking_number = fields.String(allow_none=True, validate=validate.Length(max=64))
    accessible = StrictBoolean(load_default=False)


class WalkupParcelOut(ParcelOut):
    """The courier API's view of the parcel, and how long the session stays open without use."""

    session_expires_at = fields.String(required=True, metadata={"format": "date-time"})


class ResendIn(Body):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"example": "010-1234-5678"})


class AcceptedOut(Schema):
    status = fields.String(required=True, validate=validate.Equal("accepted"))
    detail = fields.String()


class ReportIn(Body):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    compartment = fields.String(allow_none=True, validate=validate.Length(min=1, max=8),
                                metadata={"example": "A01"})


__all__ = ["EmptyIn"]
