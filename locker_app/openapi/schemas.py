"""Marshmallow schemas: the request bodies we validate and the answers we document."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, validate

from ..models import PARCEL_STATES, SIZES
from ..services.compartments import REASON_MAX, REASON_MIN_REQUIRED


class StrictBoolean(fields.Boolean):
    """JSON true or false only: marshmallow's own Boolean would take "yes" or 1."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("must be true or false")
        return value


class Body(Schema):
    class Meta:
        # Clients may send fields we do not know yet; they are ignored, as before.
        unknown = EXCLUDE




# --- requests ---------------------------------------------------------------------------------------

class ReservationIn(Body):
    tracking_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    recipient_phone = fields.String(required=True, validate=validate.Length(min=1, max=32),
                                    metadata={"example": "010-1234-5678"})
    size = fields.String(required=True, validate=validate.OneOf(SIZES))
    accessible = StrictBoolean(load_default=False)


class EmptyIn(Body):
    """The POSTs that take no fields accept an empty body or an empty object."""


class PickupIn(Body):
    # Malformed codes must get the same answer as wrong ones (403 code-rejected), so the schema does not
    # refuse them with a 400: the service checks the format.
    code = fields.Raw(allow_none=True, metadata={"type": "string", "example": "12345678",
                                               "description": "the 8-digit code from the SMS"})
    phone_suffix = fields.Raw(allow_none=True, metadata={"type": "string", "nullable": True,
                                                         "description": "last 4 digits, where the site asks"})
    payment_reference = fields.Raw(allow_none=True, metadata={"type": "string", "nullable": True})


class ReasonIn(Body):
    reason = fields.String(allow_none=True, validate=validate.Length(max=REASON_MAX))


class DoorAlertIn(Body):
    kind = fields.String(required=True, validate=validate.OneOf(("left-open", "forced")))
    reason = fields.String(allow_none=True, validate=validate.Length(max=REASON_MAX))


class ReasonRequiredIn(Body):
    reason = fields.String(required=True, validate=validate.Length(min=REASON_MIN_REQUIRED, max=REASON_MAX))


class AckIn(Body):
    result = fields.String(allow_none=True, validate=validate.OneOf(("opened", "failed")))


# --- answers ----------------------------------------------------------------------------------------

def _when(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, metadata={"format": "date-time"}, **kwargs)


class Problem(Schema):
    """RFC 9457 problem details; `type` is a stable slug. Some problems carry more members."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"example": "invalid-input"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    field = fields.String(metadata={"description": "the request field at fault, where there is one"})
    retry_after = fields.Integer()


class ParcelOut(Schema):
    parcel_id = fields.String(required=True)
    site = fields.String(required=True)
    compartment = fields.String(required=True)
    size = fields.String(required=True, validate=validate.OneOf(SIZES))
    size_requested = fields.String(required=True, validate=validate.OneOf(SIZES))
    accessible = fields.Boolean(required=True)
    tracking_number = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(PARCEL_STATES))
    notification_failed = fields.Boolean(required=True)
    created_at = _when(required=True)
    reserved_until = _when(required=True)
    deposited_at = _when(required=True)
    free_until = _when(required=True)
    pickup_deadline = _when(required=True)
    picked_up_at = _when(required=True)
    cancelled_at = _when(required=True)
    expired_at = _when(required=True)
    returned_at = _when(required=True)


class ResentOut(ParcelOut):
    resends_left = fields.Integer(required=True)


class ParcelListOut(Schema):
    parcels = fields.List(fields.Nested(ParcelOut), required=True)


class ReturnCodeOut(Schema):
    return_code = fields.String(required=True)
    parcel_id = fields.String(required=True)
    site = fields.String(required=True)
    compartment = fields.String(required=True)


class SiteOut(Schema):
    site = fields.String(required=True)
    name = fields.String(required=True)
    language = fields.String(required=True)
    phone_suffix_required = fields.Boolean(required=True)


class OpenedParcel(Schema):
    compartment = fields.String(required=True)
    size = fields.String(required=True)
    action = fields.String(required=True)


class PickupOut(Schema):
    compartments = fields.List(fields.String(), required=True)
    parcels = fields.List(fields.Nested(OpenedParcel), required=True)
    fee_due = fields.Integer(required=True)
    fee_paid = fields.Integer(required=True)


class DoorAlertOut(Schema):
    compartment = fields.String(required=True)
    alert = fields.String(required=True)


class DoorOut(Schema):
    compartment = fields.String(required=True)
    door = fields.String()
    in_service = fields.Boolean()
    parcel_flagged = fields.Boolean()


class CommandOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    compartment = fields.String(required=True)
    created_at = _when(required=True)
    expires_at = _when(required=True)
    result = fields.String(allow_none=True)


class CommandListOut(Schema):
    commands = fields.List(fields.Nested(CommandOut), required=True)


class AnyObject(Schema):
    """An object whose fields are described in docs/admin.md."""

    class Meta:
        unknown = EXCLUDE


class MeOut(Schema):
    username = fields.String(required=True)
    role = fields.String(required=True)
    via = fields.String(required=True, validate=validate.OneOf(("token", "session")))


class HealthOut(Schema):
    status = fields.String(required=True)


# --- queries ----------------------------------------------------------------------------------------

class PageQuery(Schema):
    limit = fields.Integer(validate=validate.Range(1, 200), metadata={"default": 50})
    offset = fields.Integer(validate=validate.Range(0, 1_000_000), metadata={"default": 0})


class ParcelQuery(PageQuery):
    state = fields.String(validate=validate.OneOf(PARCEL_STATES))
    site = fields.String()
    tracking_number = fields.String()


class ReturnsQuery(PageQuery):
    site = fields.String()


class HistoryQuery(Schema):
    hours = fields.Integer(validate=validate.Range(1, 24 * 90), metadata={"default": 48})
    district = fields.String(validate=validate.Length(max=64))
    site = fields.String(validate=validate.Length(max=64))


class AdminPageQuery(Schema):
    limit = fields.Integer(validate=validate.Range(1, 500))
    offset = fields.Integer(validate=validate.Range(0, 10_000_000))


class AdminParcelQuery(AdminPageQuery):
    tracking_number = fields.String(validate=validate.Length(max=64))
    state = fields.String(validate=validate.Length(max=16))
    site = fields.String(validate=validate.Length(max=64))


def _since_until() -> dict[str, fields.String]:
    about = "a day (2026-11-24, admin time zone) or an ISO-8601 time with an offset"
    return {"since": fields.String(metadata={"description": about}),
            "until": fields.String(metadata={"description": about})}


class EventFilterQuery(Schema):
    site = fields.String(validate=validate.Length(max=64))
    action = fields.String(validate=validate.Length(max=64))
    actor = fields.String(validate=validate.Length(max=64))
    parcel = fields.String(validate=validate.Length(max=64))
    compartment = fields.String(validate=validate.Length(max=8))
    since, until = _since_until().values()


class MessageFilterQuery(Schema):
    site = fields.String(validate=validate.Length(max=64))
    status = fields.String(validate=validate.Length(max=16))
    kind = fields.String(validate=validate.Length(max=16))
    parcel = fields.String(validate=validate.Length(max=64))
    since, until = _since_until().values()


class EventQuery(EventFilterQuery, AdminPageQuery):
    pass


class MessageQuery(MessageFilterQuery, AdminPageQuery):
    pass


class TwilioStatusForm(Schema):
    MessageSid = fields.String(required=True)
    MessageStatus = fields.String(required=True)
    ErrorCode = fields.String()
