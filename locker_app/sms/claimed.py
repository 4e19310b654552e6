"""A message the relay has claimed and is about to send: what relay.py hands to sending.py and gets back.

Its own module so that relay.py (which claims and records) and sending.py (which sends) both import it
and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..korea_sms.route import Route


@dataclass(frozen=True)
class Claimed:
    id: int
    to: str
    body: str  # the full text, the code opened from its seal: only in memory, only until sent
    attempts: int  # counting this one
    route: Route | None = None  # whose site and which kind: picks the sender and any 알림톡 template (korea_sms)
