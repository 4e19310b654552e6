"""The service under gunicorn, pointed at a bench schema: the production app (wsgi:app, its settings from LOCKER_*)
run with deploy/gunicorn.conf.py (its hooks, the warm-up of each new worker, and its recycling of workers) in that
file's worker shape (workers, worker_class, threads: one shape for the bench and the deploy, chosen by the
measurement in bench/README.md), overridable with BENCH_WORKERS / BENCH_THREADS / BENCH_WORKER_CLASS."""

from __future__ import annotations

import ast
import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .database import PEPPER, bench_url, libpq_dsn, sqlalchemy_url
from .database import ROOT_DIR as ROOT

DEPLOY_CONF = ROOT / "deploy" / "gunicorn.conf.py"
# The kiosks' own pool (ADR 0015): the proxy sends /kiosk/ there.
KIOSK_CONF = ROOT / "deploy" / "gunicorn-kiosk.conf.py"
KIOSK_UNIT = ROOT / "deploy" / "locker-kiosk-web.service"


def unit_nice(unit: Path) -> int:
    """The CPU priority (systemd's Nice=) a deploy unit runs its pool at; 0 when it sets none."""
    found = re.search(r"^Nice=(-?\d+)\s*$", unit.read_text(), re.MULTILINE)
    return int(found.group(1)) if found else 0


def deploy_shape(text: str | None = None, conf: Path = DEPLOY_CONF) -> tuple[int, str, int]:
    """(workers, worker_class, threads) as deploy/gunicorn.conf.py sets them, read from its top-level assignments
    (the file imports the app's logging, so it is parsed, not run)."""
    tree = ast.parse(conf.read_text() if text is None else text)
    values: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            with contextlib.suppress(ValueError):
                values[node.targets[0].id] = ast.literal_eval(node.value)
    return int(values.get("workers", 1)), str(values.get("worker_class", "sync")), int(values.get("threads", 1))


def shape(env: Mapping[str, str], text: str | None = None, conf: Path = DEPLOY_CONF,
          prefix: str = "BENCH_") -> tuple[int, str, int]:
    """The deploy's shape, each part overridable: BENCH_WORKERS, BENCH_WORKER_CLASS, BENCH_THREADS (the kiosk
    pool's: BENCH_KIOSK_WORKERS, ...)."""
    workers, worker_class, threads = deploy_shape(text, conf)
    return (int(env.get(f"{prefix}WORKERS") or workers), env.get(f"{prefix}WORKER_CLASS") or worker_class,
            int(env.get(f"{prefix}THREADS") or threads))


WORKERS, WORKER_CLASS, THREADS = shape(os.environ)
KIOSK_SHAPE = shape(os.environ, conf=KIOSK_CONF, prefix="BENCH_KIOSK_")

# The hourly and daily SMS caps against pumping (locker_app/config.py, sms/caps.py) would refuse most of a bench
# run's SMS: each bench courier and carrier stands for a city's morning at machine speed, every number distinct.
LIFTED_SMS_CAPS = {name: "1000000" for name in (
    "LOCKER_SMS_HOURLY_CAP_PER_COURIER", "LOCKER_SMS_HOURLY_CAP_PER_CARRIER", "LOCKER_SMS_HOURLY_CAP_TOTAL",
    "LOCKER_SMS_DAILY_CAP_PER_NUMBER", "LOCKER_SMS_DAILY_CAP_PER_NUMBER_ALL")}


def _proc_stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (which may hold spaces): index 0 is field 3, the state."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    def __init__(self, schema: str, wsgi_app: str = "wsgi:app", env: dict[str, str] | None = None,
                 pool: tuple[int, str, int] | None = None, conf: Path | None = DEPLOY_CONF, nice: int = 0) -> None:
        """`conf`: the gunicorn settings file the deploy runs this pool with (None for an app that is not ours);
        the shape, the address and the log level given here override it. `nice`: its unit's Nice= (unit_nice);
        below 0 it needs root, and without it coreutils' nice warns and runs the pool at the normal priority."""
        self.port = free_port()
        self.workers, worker_class, threads = pool or (WORKERS, WORKER_CLASS, THREADS)
        env = {**os.environ, "LOCKER_DATABASE_URL": sqlalchemy_url(bench_url(), schema),
               "BENCH_BARE_DSN": libpq_dsn(bench_url(), schema), "BENCH_BARE_PEPPER": PEPPER,
               "LOCKER_SECRET_KEY": "bench-secret", "LOCKER_CODE_PEPPER": PEPPER, "LOCKER_SMS_BACKEND": "console",
               # The relay has its own benchmark; here the scheduler would send the SMS.
               "LOCKER_SMS_KICK": "0",
               # Each bench courier stands for many real ones at machine speed (a person deposits a parcel every
               # half minute or so); the per-courier limit of 600/minute would turn the run into a 429 test.
               "LOCKER_RATELIMIT_COURIER": "1000000/minute", **LIFTED_SMS_CAPS, **(env or {})}
        command = [*(["nice", "-n", str(nice)] if nice else []), sys.executable, "-m", "gunicorn",
                   *(["--config", str(conf)] if conf else []),
                   "--workers", str(self.workers), "--worker-class", worker_class, "--threads", str(threads),
                   "--bind", f"127.0.0.1:{self.port}",
                   # BENCH_GUNICORN_LOG_LEVEL=info shows each worker's boot, warm-up and exit, with times.
                   "--log-level", os.environ.get("BENCH_GUNICORN_LOG_LEVEL", "warning"), wsgi_app]
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
                if conn.getresponse().status in (200, 404) and len(self.worker_pids()) == self.workers:
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
        """User and system CPU of all workers so far, those gunicorn has recycled included: the master reaps them,
        so their CPU is in its cutime and cstime (without it, a run in which workers recycled counted only the
        new workers' CPU: 0.7 ms a pair in the first full run with recycling on)."""
        master = _proc_stat(self.process.pid)
        total = int(master[13]) + int(master[14])  # cutime, cstime: the workers that have exited
        for pid in self.worker_pids():
            fields = _proc_stat(pid)
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def nice(self) -> int:
        """The CPU priority the pool really runs at (coreutils' nice only warns when it may not lower it)."""
        return int(_proc_stat(self.process.pid)[16])  # nice, field 19

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
