"""The service under gunicorn, pointed at a bench schema: the production app (wsgi:app, its settings from LOCKER_*),
but the bench's own worker shape (gthread, 3 x 4, chosen from the table in bench/README.md), not
deploy/gunicorn.conf.py's 2 sync workers."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from .database import PEPPER, bench_url, libpq_dsn, sqlalchemy_url
from .database import ROOT_DIR as ROOT

# 2 cores shared by the service, PostgreSQL and the load generator: see the worker table in bench/README.md.
WORKERS = int(os.environ.get("BENCH_WORKERS") or 3)
THREADS = int(os.environ.get("BENCH_THREADS") or 4)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    def __init__(self, schema: str, wsgi_app: str = "wsgi:app", env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        env = {**os.environ, "LOCKER_DATABASE_URL": sqlalchemy_url(bench_url(), schema),
               "BENCH_BARE_DSN": libpq_dsn(bench_url(), schema), "BENCH_BARE_PEPPER": PEPPER,
               "LOCKER_SECRET_KEY": "bench-secret", "LOCKER_CODE_PEPPER": PEPPER, "LOCKER_SMS_BACKEND": "console",
               # The relay has its own benchmark; here the scheduler would send the SMS.
               "LOCKER_SMS_KICK": "0",
               # Each bench courier stands for many real ones at machine speed (a person deposits a parcel every
               # half minute or so); the per-courier limit of 600/minute would turn the run into a 429 test.
               "LOCKER_RATELIMIT_COURIER": "1000000/minute", **(env or {})}
        command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "gthread",
                   "--threads", str(THREADS), "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
                   wsgi_app]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        self.environment = env
        self._wait_ready()

    def _wait_ready(self) -> None:
        for _ in range(300):
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited while starting")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status in (200, 404) and len(self.worker_pids()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """User and system CPU of all workers so far."""
        total = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def peak_rss_mib(self) -> float:
        """The largest peak resident set (VmHWM) among the workers."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
