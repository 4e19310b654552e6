"""The occupancy-over-time chart, laid out here and drawn by the template as inline SVG (no script)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WIDTH, HEIGHT = 960, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 10, 26
# Bottom to top, the order of the tiles' bars.
STACK = ("occupied", "reserved", "disabled", "free")


def _round(value: float) -> float:
    return round(value, 2)


def layout(points: list[dict[str, Any]], since: datetime, hours: int, zone: ZoneInfo) -> dict[str, Any]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / hours
    top_value = max([p["total"] for p in points] + [1])
    bars = []
    for point in points:
        at = datetime.fromisoformat(point["at"])
        index = int((at - since).total_seconds() // 3600)
        if not 0 <= index < hours:
            continue
        x = LEFT + index * slot + slot * 0.1
        y = TOP + plot_h
        parts = []
        for key in STACK:
            h = plot_h * point[key] / top_value
            y -= h
            if point[key]:
                parts.append({"cls": key, "y": _round(y), "h": _round(h)})
        # The page writes the tooltip from `at`, `counts` and `total`, in the reader's language.
        bars.append({"x": _round(x), "w": _round(slot * 0.8), "parts": parts,
                     "at": at.astimezone(zone).strftime("%m/%d %H:00"), "total": point["total"],
                     "counts": [(key, point[key]) for key in STACK]})
    xticks = []
    for index in range(hours):
        local = (since + timedelta(hours=index)).astimezone(zone)
        if local.hour % 6 == 0:
            label = local.strftime("%m/%d") if local.hour == 0 else local.strftime("%H:00")
            xticks.append({"x": _round(LEFT + index * slot + slot / 2), "label": label})
    yticks = [{"y": _round(TOP + plot_h * (1 - f)), "label": str(round(top_value * f))} for f in (0, 0.5, 1)]
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "xticks": xticks, "yticks": yticks,
            "left": LEFT, "right": WIDTH - RIGHT, "base": TOP + plot_h, "empty": not bars}
