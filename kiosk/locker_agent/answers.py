"""What the agent answers the page: a status, headers and bytes (plain values, whatever the HTTP server)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def json_answer(status: int, value: Any, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, json.dumps(value, ensure_ascii=False).encode(),
                  {"Content-Type": "application/json", **(headers or {})})


def problem(status: int, slug: str, title: str, detail: str = "", **extra: Any) -> Answer:
    """RFC 9457, shaped like the service's own problems, so the page reads both alike."""
    body = {"type": slug, "title": title, "status": status, "detail": detail, **extra}
    return Answer(status, json.dumps(body, ensure_ascii=False).encode(),
                  {"Content-Type": "application/problem+json"})
