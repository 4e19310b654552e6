"""SMS relay throughput to a local fake Twilio, against bare HTTP posts to the same server.

All three run in this process at the relay's concurrency (LOCKER_SMS_RELAY_CONCURRENCY, default 16): the relay
through `relay_job` with the real TwilioSender (the Twilio SDK), claiming and recording each message in the
database; the SDK alone (`TwilioSender.send` from that many threads, no database), which separates the SDK's own
cost from ours; and bare posts with http.client and the same form body from that many threads, nothing else.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import psycopg

from .database import PEPPER, ROOT_DIR, bench_url, libpq_dsn, sqlalchemy_url
from .stats import cpu_seconds

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "bench-auth-token"
FROM = "+15005550006"
BODY = "[Bench] 택배가 도착했습니다. 인증번호 12345678. 48시간 무료 보관"


class FakeTwilioProcess:
    def __init__(self, delay: float = 0.0) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bench.fake_twilio", "--delay", str(delay),
                                         "--timeline"], cwd=ROOT_DIR,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def stop(self) -> dict[str, float]:
        """Stop it; {sid: when the fake accepted it (epoch seconds)} for every message it accepted."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        lines = self.process.stdout.read().splitlines()
        self.process.wait(timeout=30)
        accepted = [json.loads(line) for line in lines if line.startswith("{")]
        return {entry["sid"]: float(entry["accepted_at"]) for entry in accepted}


CODE = "12345678"
CODE_OFFSET = BODY.index(CODE)


def queued_rows(count: int) -> list[tuple[str, str, str]]:
    """(to_phone, masked body, sealed code) for `count` delivery SMS, as `queue_message` stores them: the outbox
    holds the text with its code masked and the code sealed to its number (docs/adr/0005-sealed-codes.md), so the
    relay opens a seal per message as it does in production. Call inside the app context whose keys will open it."""
    from locker_app.sealing.keys import current_seal_keys
    from locker_app.sms.outbox import CODE_MASK, seal_context

    keys = current_seal_keys()
    masked = BODY[:CODE_OFFSET] + CODE_MASK + BODY[CODE_OFFSET + len(CODE):]
    phones = [f"+8210{n:08d}" for n in range(1, count + 1)]
    return [(phone, masked, keys.seal(CODE, seal_context(phone, None))) for phone in phones]


def _queue(schema: str, count: int) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(libpq_dsn(bench_url(), schema)) as conn, conn.cursor().copy(
            "COPY messages (kind, to_phone, body, code_offset, code_sealed, status, attempts, next_attempt_at, "
            "created_at, updated_at) FROM STDIN") as copy:
        for phone, body, sealed in queued_rows(count):
            copy.write_row(("delivery", phone, body, CODE_OFFSET, sealed, "pending", 0, now, now, now))


def _timed(messages: Callable[[], int]) -> dict[str, Any]:
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    sent = messages()
    return {"messages": sent, "wall": time.perf_counter() - wall0, "cpu": cpu_seconds() - cpu0}


def _in_threads(count: int, concurrency: int, send_one: Callable[[int], bool]) -> int:
    """send_one(n) for n in range(count), spread over `concurrency` threads; how many returned True."""
    ok = [0] * concurrency

    def run(k: int) -> None:
        ok[k] = sum(send_one(n) for n in range(k, count, concurrency))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return sum(ok)


def relay_concurrency() -> int:
    from locker_app.config import load_settings

    return int(load_settings(os.environ, str(ROOT_DIR / "instance"))["SMS_RELAY_CONCURRENCY"])


def relay_rate(schema: str, url: str, count: int) -> dict[str, Any]:
    from locker_app import create_app
    from locker_app.extensions import db
    from locker_app.jobs import relay_job

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(bench_url(), schema), "SMS_BACKEND": "twilio",
                      "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM_NUMBER": FROM,
                      "TWILIO_BASE_URL": url, "SMS_KICK": False, "CODE_PEPPER": PEPPER, "SECRET_KEY": "bench"})

    def run() -> int:
        sent = 0
        for _ in range(count):  # bounded: at least one message per round while any is due
            done = relay_job()
            sent += done
            if not done:
                break
        return sent

    with app.app_context():
        _queue(schema, count)
        result = _timed(run)
        db.session.remove()
        db.engine.dispose()
    return result


def sdk_rate(url: str, count: int, concurrency: int) -> dict[str, Any]:
    """TwilioSender.send alone (one SDK client per thread, as in the relay), no database."""
    from locker_app.sms.senders import TwilioSender

    sender = TwilioSender(ACCOUNT_SID, AUTH_TOKEN, from_number=FROM, base_url=url)
    return _timed(lambda: _in_threads(count, concurrency,
                                      lambda n: bool(sender.send(f"+8210{n:08d}", BODY).sid)))


def raw_rate(url: str, count: int, concurrency: int) -> dict[str, Any]:
    parts = urlsplit(url)
    auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    headers = {"Authorization": f"Basic {auth}", "Content-Type": "application/x-www-form-urlencoded"}
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

    def post(n: int) -> bool:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        conn.request("POST", path, urlencode({"To": f"+8210{n:08d}", "From": FROM, "Body": BODY}), headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status == 201

    return _timed(lambda: _in_threads(count, concurrency, post))
