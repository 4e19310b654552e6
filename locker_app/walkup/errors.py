"""Problems of the walk-up endpoints (slugs are part of the contract)."""

from __future__ import annotations

from ..services.errors import ServiceError


class CourierRejected(ServiceError):
    status = 403
    slug = "courier-rejected"
    title = "The phone number and PIN were not accepted"


class CourierLocked(ServiceError):
    status = 429
    slug = "courier-locked"
    title = "Too many wrong PINs; sign-in is paused"


class SignInPaused(ServiceError):
    status = 429
    slug = "kiosk-sign-in-paused"
    title = "Too many refused sign-ins at this kiosk; wait a moment"


class SessionRequired(ServiceError):
    status = 403
    slug = "courier-session-required"
    title = "Sign in first: send X-Courier-Session"


class SessionExpired(ServiceError):
    status = 403
    slug = "courier-session-expired"
    title = "The courier's session has ended; sign in again"


class SessionElsewhere(ServiceError):
    status = 403
    slug = "courier-session-elsewhere"
    title = "This session was opened at another kiosk"


class AlreadyStored(ServiceError):
    status = 409
    slug = "already-stored"
    title = "The parcel is stored already"
