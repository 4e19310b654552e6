"""What the public directory answers, for the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .listing import SORTS

AVAILABILITY = ("room", "almost-full", "pickup-only")


class PublicSitesQuery(Schema):
    q = fields.String(metadata={"description": "words to look for in the name, address, district or code",
                                "example": "마포"})
    lat = fields.Float(validate=validate.Range(-90, 90), metadata={"example": 37.56})
    lon = fields.Float(validate=validate.Range(-180, 180), metadata={"example": 126.92})
    sort = fields.String(validate=validate.OneOf(SORTS),
                         metadata={"description": "distance (needs lat and lon; the default), name or district"})


class PublicSite(Schema):
    site = fields.String(required=True, metadata={"example": "MAPO-001"})
    name = fields.String(required=True)
    address = fields.String(required=True, allow_none=True)
    district = fields.String(required=True, allow_none=True)
    opening_hours = fields.String(required=True, allow_none=True)
    lat = fields.Float(required=True, allow_none=True)
    lon = fields.Float(required=True, allow_none=True)
    accessible = fields.Boolean(required=True, metadata={"description": "has a door reachable from a wheelchair"})
    availability = fields.String(required=True, validate=validate.OneOf(AVAILABILITY))
    distance_km = fields.Float(allow_none=True, metadata={"description": "only when lat and lon were given"})


class PublicSitesOut(Schema):
    sites = fields.List(fields.Nested(PublicSite), required=True)
