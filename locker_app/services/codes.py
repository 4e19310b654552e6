"""One-time codes: made from `secrets`, stored only as an HMAC over pepper, site and code."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

CODE_DIGITS = 8
DEFAULT_PEPPER_ID = "1"
_PEPPER_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


@dataclass(frozen=True)
class Peppers:
    """The pepper new codes are issued under, and every pepper whose codes may still be active.

    Each code row keeps its pepper's id, so rotating the pepper leaves issued codes working until
    they end; then the old one can be dropped from the configuration.
    """

    current_id: str
    known: tuple[tuple[str, str], ...]  # (id, secret), the current one first

    @property
    def current(self) -> str:
        return self.known[0][1]


def _one_pepper(value: str) -> tuple[str, str]:
    key_id, sep, secret = value.strip().partition(":")
    if sep and _PEPPER_ID.match(key_id) and secret:
        return key_id, secret
    return DEFAULT_PEPPER_ID, value.strip()


def parse_peppers(current: str, old: str = "") -> Peppers:
    """`id:secret` (or a bare secret, id "1") and a comma list of retired `id:secret`."""
    first = _one_pepper(current)
    if not first[1]:
        raise ValueError("LOCKER_CODE_PEPPER is empty")
    known = [first]
    for item in (part for part in old.split(",") if part.strip()):
        key_id, secret = _one_pepper(item)
        if key_id in {k for k, _ in known}:
            raise ValueError(f"pepper id {key_id!r} is given twice (LOCKER_CODE_PEPPER / LOCKER_CODE_PEPPERS_OLD)")
        known.append((key_id, secret))
    return Peppers(first[0], tuple(known))


def as_peppers(pepper: Peppers | str) -> Peppers:
    return pepper if isinstance(pepper, Peppers) else parse_peppers(pepper)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(pepper: str, site_id: int, code: str) -> str:
    message = f"{site_id}:{code}".encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def looks_like_code(value: object) -> bool:
    return isinstance(value, str) and len(value) == CODE_DIGITS and value.isascii() and value.isdigit()
