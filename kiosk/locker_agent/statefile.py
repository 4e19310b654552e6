"""The agent's state on disk: whole files written atomically and checksummed, and an append-only journal.

A file is written to a temporary name beside it, flushed to the disk, and renamed over the old one (then the
directory is flushed too), so a power cut leaves the old file or the new one, never half of either. Each
carries the SHA-256 of its content: a file that does not match (a bad sector, a torn copy, an edit) is never
used silently; it is moved aside as `<name>.corrupt-<time>` for an operator and the caller decides what the
loss means. The checksum finds damage, not tampering: whoever can write the disk can write a checksum too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Corrupt(Exception):
    """The file was there but damaged; it has been moved aside."""


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write(path: Path, value: Any) -> None:
    content = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    envelope = json.dumps({"sha256": _digest(content), "content": content.decode()}).encode()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(envelope)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def set_aside(path: Path, why: str) -> Path:
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    os.replace(path, aside)
    log.error("state file %s is damaged (%s); kept as %s and not used", path.name, why, aside.name)
    return aside


def read(path: Path) -> Any:
    """The value written, None if there is no file; Corrupt (after moving it aside) if it is damaged."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        envelope = json.loads(raw)
        content = envelope["content"].encode()
        if _digest(content) != envelope["sha256"]:
            raise ValueError("checksum mismatch")
        return json.loads(content)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        set_aside(path, str(error) or type(error).__name__)
        raise Corrupt(path.name) from None


class Journal:
    """Records appended one line each (JSON with its own checksum), flushed to disk before append() returns.

    A torn last line (a power cut mid-append) or a damaged one is skipped and reported; the lines around it
    survive, and the file as it was is kept aside for an operator.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, record: dict[str, Any]) -> None:
        with open(self.path, "ab") as handle:
            handle.write(self._line(record))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(self.path, 0o600)

    @staticmethod
    def _line(record: dict[str, Any]) -> bytes:
        content = json.dumps(record, sort_keys=True, separators=(",", ":"))
        return (json.dumps({"sha256": _digest(content.encode()), "record": content}) + "\n").encode()

    def read(self) -> tuple[list[dict[str, Any]], int]:
        """(the good records in order, how many lines were damaged)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0
        good: list[dict[str, Any]] = []
        bad = 0
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                wrapped = json.loads(line)
                content = wrapped["record"]
                if _digest(content.encode()) != wrapped["sha256"]:
                    raise ValueError("checksum mismatch")
                record = json.loads(content)
                if not isinstance(record, dict):
                    raise ValueError("not a record")
                good.append(record)
            except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
                bad += 1
        if bad:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
            aside.write_bytes(raw)
            log.error("journal %s had %d damaged line(s); the file as it was is kept as %s", self.path.name, bad,
                      aside.name)
            self.rewrite(good)
        return good, bad

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Replace the whole journal atomically (after a replay took some records off)."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            for record in records:
                handle.write(self._line(record))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)
        _fsync_dir(self.path.parent)
