"""Sealing secrets that must be kept for a while but never at rest in clear: the one-time code of an SMS
waiting in the outbox (docs/adr/0005-sealed-codes.md)."""
