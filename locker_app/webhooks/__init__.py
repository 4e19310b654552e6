"""Calls from providers: /webhooks/..."""

from .twilio import bp

__all__ = ["bp"]
