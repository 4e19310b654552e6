"""SMS relay throughput to a local fake Twilio, against bare HTTP posts to the same server.

Both run in this process at concurrency 1 (the relay is one sequential loop in the scheduler process): the relay
through `relay_once` with the real TwilioSender (the Twilio SDK), claiming and recording each message in the
database; the bare posts with http.client and the same form body, nothing else.
"""

from __future__ import annotations

import base64
import http.client
import subprocess
import sys
import time
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
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bench.fake_twilio"], cwd=ROOT_DIR,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _queue(schema: str, count: int) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(libpq_dsn(bench_url(), schema)) as conn:
        conn.execute(
            """INSERT INTO messages (kind, to_phone, body, code_offset, status, attempts, next_attempt_at, created_at,
                                     updated_at)
               SELECT 'delivery', '+8210' || lpad(g::text, 8, '0'), %s, 31, 'pending', 0, %s, %s, %s
               FROM generate_series(1, %s) AS g""",
            (BODY, now, now, now, count),
        )


def relay_rate(schema: str, url: str, count: int) -> dict[str, Any]:
    from locker_app import create_app
    from locker_app.extensions import db
    from locker_app.jobs import relay_job

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(bench_url(), schema), "SMS_BACKEND": "twilio",
                      "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM_NUMBER": FROM,
                      "TWILIO_BASE_URL": url, "SMS_KICK": False, "CODE_PEPPER": PEPPER, "SECRET_KEY": "bench"})
    _queue(schema, count)
    sent = 0
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    with app.app_context():
        for _ in range(count):  # bounded: at least one message per round while any is due
            done = relay_job()
            sent += done
            if not done:
                break
        wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
        db.session.remove()
        db.engine.dispose()
    return {"messages": sent, "wall": wall, "cpu": cpu}


def raw_rate(url: str, count: int) -> dict[str, Any]:
    parts = urlsplit(url)
    auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    headers = {"Authorization": f"Basic {auth}", "Content-Type": "application/x-www-form-urlencoded"}
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    ok = 0
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    for n in range(count):
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        conn.request("POST", path, urlencode({"To": f"+8210{n:08d}", "From": FROM, "Body": BODY}), headers)
        response = conn.getresponse()
        response.read()
        ok += response.status == 201
        conn.close()
    return {"messages": ok, "wall": time.perf_counter() - wall0, "cpu": cpu_seconds() - cpu0}
