"""What the agent answers when the service cannot be reached: the one place that decides it.

Today every call gets 503 `locker-offline`, at once, so the page shows "offline" instead of waiting.
The offline pickup (design.md "Offline") extends this class: `answer` is where a pickup is checked
against the local verifiers, its door opened and the pickup queued for replay.
"""

from __future__ import annotations

from .answers import Answer, problem


class OfflinePolicy:
    def answer(self, method: str, path: str, body: bytes) -> Answer:
        return problem(503, "locker-offline", "The locker is offline",
                       "The locker cannot reach the service right now. Please try again later.",
                       retry_after=30)
