"""The offline verifier: scrypt of a code under a per-site salt (docs/adr/0009-offline-verifiers.md).

The agent computes the same in kiosk/locker_agent/verifier.py (it imports nothing from here);
kiosk/offline-verifier-vectors.json pins both to the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

SALT_BYTES = 16


@dataclass(frozen=True)
class Params:
    n: int = 2**15  # 32 MiB with r = 8: ~0.11 s a check on this machine (ADR 0009)
    r: int = 8
    p: int = 1
    dklen: int = 32

    @property
    def label(self) -> str:
        """Kept with each verifier: one made under other parameters is stale and not served."""
        return f"scrypt-n{self.n}-r{self.r}-p{self.p}-{self.dklen}"

    def as_json(self) -> dict[str, int | str]:
        return {"algorithm": "scrypt", "n": self.n, "r": self.r, "p": self.p, "dklen": self.dklen}


PARAMS = Params()


def params_from(config: Any) -> Params:
    """LOCKER_OFFLINE_SCRYPT_N lowers the cost for tests and development (docs/deploy.md)."""
    return Params(n=int(config.get("OFFLINE_SCRYPT_N") or PARAMS.n))


def message(code: str, phone_suffix: str | None = None) -> bytes:
    """What is hashed: the code, and where the site asks for them the phone's last 4 digits."""
    return (code if phone_suffix is None else f"{code}:{phone_suffix}").encode("ascii")


def verifier(code: str, salt: bytes, params: Params = PARAMS, phone_suffix: str | None = None) -> str:
    digest = hashlib.scrypt(message(code, phone_suffix), salt=salt, n=params.n, r=params.r, p=params.p,
                            dklen=params.dklen, maxmem=256 * params.r * params.n + 1024 * 1024)
    return digest.hex()


def new_salt() -> str:
    return os.urandom(SALT_BYTES).hex()
