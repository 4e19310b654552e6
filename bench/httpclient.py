"""A small HTTP/1.1 keep-alive client over asyncio streams: cheap enough per request that the load generator
leaves the cores to the service (it reports its own CPU use to prove it)."""

from __future__ import annotations

import asyncio
import json
from typing import Any


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(data)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        head.extend(f"{k}: {v}" for k, v in headers.items())
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + data
        for attempt in (1, 2):
            if self.writer is None:
                await self._open()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(raw)
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed before an answer")
                break
            except (ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection; only safe to resend before any answer.
                await self.close()
                if attempt == 2:
                    raise
        status = int(status_line.split(b" ", 2)[1])
        reader = self.reader
        assert reader is not None
        length, close = 0, False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        payload = await reader.readexactly(length) if length else b""
        if close:
            await self.close()
        try:
            return status, (json.loads(payload) if payload else None)
        except ValueError:  # an error page that is not JSON (bench/bare_app.py's 500): the status says enough
            return status, None
