"""Percentiles and the process's own CPU time."""

from __future__ import annotations

import math
import resource


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of them at or below it. (It used to take index
    int(q * n), one rank too high: the p99 of 100 samples was their maximum, the p50 of 2 the larger.)"""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered) - 1e-9) - 1))]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
