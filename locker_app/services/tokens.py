"""API and device tokens: random, shown once, stored only as a digest."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # Tokens carry 256 random bits, so a plain hash suffices; no stretching needed.
    return hashlib.sha256(token.encode()).hexdigest()
