"""Gunicorn settings for the locker web service (docs/deploy.md).

Run from the checkout: `gunicorn --config deploy/gunicorn.conf.py`. Anything here can be overridden on
the command line (`--bind`, `--workers`) or with GUNICORN_CMD_ARGS; the service's own settings are the
LOCKER_* variables (docs/deploy.md#configuration-reference).
"""

import os
import shutil
from pathlib import Path

from locker_app.ops.logs import gunicorn_logconfig
from locker_app.ops.server_header import hide_server_headers

wsgi_app = "wsgi:app"

# The reverse proxy talks to this address; nothing else should.
bind = "127.0.0.1:8000"
# Two to four per core. Each worker keeps its own database pool (up to 5 connections, 15 at peak):
# hosts x workers x 15 must stay under PostgreSQL's max_connections.
workers = 2
worker_class = "sync"
# Requests are short (a code check, a reservation); a slow one is a stuck database, not a slow client,
# since the proxy buffers clients.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that no leak grows without bound; the jitter keeps them from all
# restarting at once. A restart takes a worker away for ~1.5 s (its boot and warm-up): with a jitter of a tenth
# the two workers left within 0.4 s of each other in a morning wave and the pool was gone for 2 s, then 8 s
# behind; half of max_requests spreads them by ~8 s at a wave's rate (bench/README.md, ADR 0017).
max_requests = 2000
max_requests_jitter = 1000
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# The app writes one access line per request itself (with the request id, without query strings, which
# can hold the kiosk's token), so gunicorn's own access log stays off: gunicorn writes it whenever
# logconfig_dict is set, so gunicorn_logconfig keeps it off unless LOCKER_GUNICORN_ACCESS_LOG=1.
accesslog = None
errorlog = "-"
# Gunicorn 25+ opens a control socket in the user's home by default; the service needs none (and the
# systemd unit keeps home directories out of reach). Older versions ignore the setting.
control_socket_disable = True
logconfig_dict = gunicorn_logconfig(os.environ)


def on_starting(server):
    """No `Server: gunicorn` header (locker_app/ops/server_header.py). /metrics sums request counts over
    all workers through files in PROMETHEUS_MULTIPROC_DIR; a fresh start must not add a previous run's."""
    hide_server_headers()
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def post_worker_init(worker):
    """Before a new worker (at start, and each time one is recycled) takes traffic: what its first request would
    otherwise pay for, the ORM set up and a database connection open (locker_app/ops/warmup.py)."""
    # Only a speed-up: an error here must not count as a failed boot, which would make the master stop the service.
    try:
        from locker_app.ops.warmup import warm

        seconds = warm(worker.wsgi)
    except Exception as exc:  # any failure leaves the worker as it was before warm-ups existed
        worker.log.warning("Worker %s did not warm up (%s); its first request pays for it", worker.pid,
                           type(exc).__name__)
        return
    worker.log.info("Worker %s warmed up in %.0f ms", worker.pid, seconds * 1000)


def worker_exit(server, worker):
    """A leaving worker (recycled after max_requests, or the service stopping) lets the SMS it is sending reach
    the provider and be recorded first; cut off, they would wait out the relay's 5-minute lease (sms/kick.py)."""
    from locker_app.sms.kick import close_kicker

    if not close_kicker(getattr(worker, "wsgi", None), timeout=10):
        worker.log.warning("Worker %s left with SMS still being sent; the relay sends them after their lease",
                           worker.pid)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
