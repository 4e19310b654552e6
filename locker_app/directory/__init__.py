"""The public locker directory: where each site is, whether it has room, and nothing about any parcel.

Residents choose a locker as their delivery address when they order online, so this part of the service
needs no token: `/sites/` (a page in Korean and English) and `/api/v1/public/sites` (JSON)."""

from .routes import bp

__all__ = ["bp"]
