"""One-time codes: made from `secrets`, stored only as an HMAC over pepper, site and code."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 8


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(pepper: str, site_id: int, code: str) -> str:
    message = f"{site_id}:{code}".encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def looks_like_code(value: object) -> bool:
    return isinstance(value, str) and len(value) == CODE_DIGITS and value.isascii() and value.isdigit()
