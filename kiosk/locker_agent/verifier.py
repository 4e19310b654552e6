"""The offline verifier, computed alike by the service (locker_app/offline/scheme.py; the agent imports
nothing from there): hex scrypt of the code, or `code:phone_suffix` where the site asks for the phone's last
digits, under the site's salt. kiosk/offline-verifier-vectors.json holds the vectors both sides test."""

from __future__ import annotations

import hashlib
from typing import Any

ALGORITHM = "scrypt"


def check_params(params: Any) -> dict[str, int]:
    """The parameters the service sent, or ValueError: nothing else is hashed with (a bogus N could make one
    check take minutes, or a tiny one make the stolen-disk figure a lie)."""
    if not isinstance(params, dict) or params.get("algorithm") != ALGORITHM:
        raise ValueError("not scrypt parameters")
    values = {name: params.get(name) for name in ("n", "r", "p", "dklen")}
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values.values()):
        raise ValueError("scrypt parameters must be positive integers")
    n, r, p = values["n"], values["r"], values["p"]
    assert n is not None and r is not None and p is not None
    if n & (n - 1) or not 2**10 <= n <= 2**20 or r > 32 or p > 4 or values["dklen"] != 32:
        raise ValueError("scrypt parameters out of range")
    return {k: int(v) for k, v in values.items() if v is not None}


def verifier(code: str, salt: bytes, params: dict[str, int], phone_suffix: str | None = None) -> str:
    message = (code if phone_suffix is None else f"{code}:{phone_suffix}").encode("ascii", "replace")
    n, r, p = params["n"], params["r"], params["p"]
    return hashlib.scrypt(message, salt=salt, n=n, r=r, p=p, dklen=params["dklen"],
                          maxmem=256 * r * n + 1024 * 1024).hex()
