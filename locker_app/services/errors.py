"""Errors a service raises when a request cannot be carried out; the HTTP layer turns them into problems."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(ServiceError):
    status = 400
    slug = "invalid-input"
    title = "The request is not valid"


class NotFound(ServiceError):
    status = 404
    slug = "not-found"
    title = "Not found"


class LockerFull(ServiceError):
    status = 409
    slug = "locker-full"
    title = "No compartment of that size is free at this site"


class InvalidState(ServiceError):
    status = 409
    slug = "invalid-state"
    title = "The parcel is not in a state that allows this"


class ReservationExpired(ServiceError):
    status = 409
    slug = "reservation-expired"
    title = "The reservation has run out"


class CodeRejected(ServiceError):
    status = 403
    slug = "code-rejected"
    title = "The code was not accepted"


class Forbidden(ServiceError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class PaymentRequired(ServiceError):
    status = 402
    slug = "payment-required"
    title = "A storage fee is due before the door opens"


class PaymentReferenceUsed(ServiceError):
    status = 409
    slug = "payment-reference-used"
    title = "This payment reference has paid for another parcel already"
