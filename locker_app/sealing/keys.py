"""AES-256-GCM under keys from the environment (LOCKER_SEAL_KEY, LOCKER_SEAL_KEYS_OLD), with key ids.

A sealed value is `<key id>.<base64url(nonce || ciphertext || tag)>`. The key id says which key opens
it, so a new key seals new values while values sealed under an old one still open until they are gone
(the pepper's rotation, docs/deploy.md). The associated data binds a seal to its context (the outbox
row's number and parcel): a seal copied into another row, or a row whose number was changed, does not
open. A random 96-bit nonce per seal is safe far beyond the 2^32 seals per key NIST allows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DEFAULT_KEY_ID = "1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_NONCE = 12
# Development only (refused with LOCKER_PRODUCTION=1, like the dev secret key and pepper).
DEV_SEAL_KEY = "dev:" + base64.urlsafe_b64encode(hashlib.sha256(b"dev-only-seal-key-change-me").digest()).decode()


class SealError(Exception):
    """A seal that no configured key opens: its key was dropped, or the value or its context was changed."""


def new_key_text(key_id: str = DEFAULT_KEY_ID) -> str:
    """A fresh `id:key` for LOCKER_SEAL_KEY."""
    return f"{key_id}:{base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def _one_key(value: str, name: str) -> tuple[str, bytes]:
    key_id, sep, encoded = value.strip().partition(":")
    if not sep:
        key_id, encoded = DEFAULT_KEY_ID, value.strip()
    if not _KEY_ID.match(key_id):
        raise ValueError(f"{name}: a key id is 1-16 letters, digits, '-' or '_'")
    try:
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError(f"{name}: a key is 32 random bytes in URL-safe base64 (`id:key`, see docs/deploy.md)")
    return key_id, key


@dataclass(frozen=True)
class SealKeys:
    """The key new seals are made under, and every key whose seals may still be waiting to be opened."""

    current_id: str
    known: tuple[tuple[str, bytes], ...]  # (id, key), the current one first
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    def _cipher(self, key_id: str) -> AESGCM:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            key = dict(self.known).get(key_id)
            if key is None:
                raise SealError(f"no seal key with id {key_id!r} is configured")
            cipher = self._ciphers[key_id] = AESGCM(key)
        return cipher

    def seal(self, value: str, context: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._cipher(self.current_id).encrypt(nonce, value.encode(), _aad(self.current_id, context))
        return f"{self.current_id}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"

    def open(self, token: str, context: str) -> str:
        key_id, _, encoded = token.partition(".")
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise SealError("not a sealed value") from None
        try:
            return self._cipher(key_id).decrypt(raw[:_NONCE], raw[_NONCE:], _aad(key_id, context)).decode()
        except (InvalidTag, ValueError):
            raise SealError("the seal does not open: changed, or made for another context") from None


def key_id_of(token: str) -> str:
    return token.partition(".")[0]


def _aad(key_id: str, context: str) -> bytes:
    return b"locker-seal-v1\x00" + key_id.encode() + b"\x00" + context.encode()


def parse_seal_keys(current: str, old: str = "") -> SealKeys:
    """`id:key` (or a bare key, id "1") and a comma list of retired `id:key`."""
    if not current.strip():
        raise ValueError("LOCKER_SEAL_KEY is empty")
    known = [_one_key(current, "LOCKER_SEAL_KEY")]
    for item in (part for part in old.split(",") if part.strip()):
        key_id, key = _one_key(item, "LOCKER_SEAL_KEYS_OLD")
        if key_id in {k for k, _ in known}:
            raise ValueError(f"seal key id {key_id!r} is given twice (LOCKER_SEAL_KEY / LOCKER_SEAL_KEYS_OLD)")
        known.append((key_id, key))
    return SealKeys(known[0][0], tuple(known))


def current_seal_keys() -> SealKeys:
    """The running app's keys (create_app parses them), or the development key outside an app."""
    from flask import current_app, has_app_context

    if has_app_context() and "SEAL_KEYS" in current_app.config:
        keys: SealKeys = current_app.config["SEAL_KEYS"]
        return keys
    return parse_seal_keys(DEV_SEAL_KEY)
