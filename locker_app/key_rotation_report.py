"""What `code-peppers` and `seal-keys` print: for each configured key, how many live rows still need it.

Both commands answer the same operator question before a key is retired (which old key has nothing left, and
whether any row names a key no longer configured), so they share one report and differ only in their words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class KeyWords:
    rows: str  # "active codes"
    lost_rows: str  # "active codes that cannot open a door"
    old_setting: str  # "LOCKER_CODE_PEPPERS_OLD"
    missing: str  # "peppers"


def echo_key_usage(configured: Iterable[str], current_id: str, counts: Mapping[str, int], words: KeyWords) -> None:
    """Print one line a configured key, then the keys rows name that are not configured; fail if there are any."""
    configured = list(configured)
    for key_id in configured:
        role = "current" if key_id == current_id else "old"
        live = counts.get(key_id, 0)
        advice = "; can be retired" if role == "old" and not live else ""
        click.echo(f"{key_id}: {role}, {live} {words.rows}{advice}")
    lost = {key_id: n for key_id, n in counts.items() if key_id not in configured}
    for key_id, live in sorted(lost.items()):
        click.echo(f"{key_id}: NOT CONFIGURED, {live} {words.lost_rows}", err=True)
    if lost:
        raise click.ClickException(f"add the missing {words.missing} to {words.old_setting}")
