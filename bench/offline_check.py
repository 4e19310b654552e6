"""One offline code check at the locker agent: one scrypt of the typed code under the site's salt, compared with
the stored verifiers (docs/adr/0009-offline-verifiers.md, branch `offline`). The parameters are copied here, not
imported, so this bench runs before that branch lands; when it has, they must stay equal to
`locker_app/offline` / LOCKER_OFFLINE_SCRYPT_N's default. Beside it: what recovering one site's active codes
from a stolen kiosk disk costs, 10^8 candidates (8 digits) x one hash each.

    .venv/bin/python -m bench.offline_check [--rounds 20]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from dataclasses import dataclass

# ADR 0009: hex(scrypt(code, salt=site_salt, n=2^15, r=8, p=1, dklen=32)); the agent's maxmem as in its verifier.
SCRYPT_N, SCRYPT_R, SCRYPT_P, DKLEN = 2**15, 8, 1, 32
CANDIDATES = 10**8  # every 8-digit code


@dataclass(frozen=True)
class OfflineCheck:
    times: list[float]  # seconds per check

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def fastest(self) -> float:
        return min(self.times)


def core_days(seconds_per_hash: float, candidates: int = CANDIDATES) -> float:
    """Core-days to hash every candidate once (the whole search; half of it on average for one code)."""
    return candidates * seconds_per_hash / 86400


def check_once(code: str, salt: bytes, verifiers: set[str]) -> bool:
    digest = hashlib.scrypt(code.encode("ascii"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=DKLEN,
                            maxmem=256 * SCRYPT_R * SCRYPT_N + 1024 * 1024).hex()
    return digest in verifiers


def measure(rounds: int) -> OfflineCheck:
    salt = os.urandom(16)
    verifiers = {os.urandom(DKLEN).hex() for _ in range(100)}  # a site's active codes: a set lookup, free
    check_once("00000000", salt, verifiers)  # warm: the first call maps its 32 MiB
    times = []
    for n in range(max(1, rounds)):
        started = time.perf_counter()
        check_once(f"{n:08d}", salt, verifiers)
        times.append(time.perf_counter() - started)
    return OfflineCheck(times)


def report(check: OfflineCheck) -> None:
    print(f"\nOffline code check (scrypt n=2^{SCRYPT_N.bit_length() - 1}, r={SCRYPT_R}, p={SCRYPT_P}, "
          f"{128 * SCRYPT_R * SCRYPT_N // 2**20} MiB), {len(check.times)} checks: p50 {1000 * check.p50:.1f} ms, "
          f"fastest {1000 * check.fastest:.1f} ms")
    print(f"stolen kiosk disk: {CANDIDATES:.0e} candidates x {1000 * check.fastest:.1f} ms (fastest) = "
          f"{core_days(check.fastest):.0f} core-days to recover one site's active codes "
          f"({core_days(check.p50):.0f} at the p50)")
    print(f"ratio offline_check_p50_ms: {1000 * check.p50:.1f}")
    print(f"ratio offline_recovery_core_days: {core_days(check.fastest):.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.offline_check", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    report(measure(parser.parse_args(argv).rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
