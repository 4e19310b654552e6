"""deploy/gunicorn.conf.py for real: two workers, /readyz, and /metrics adding up both workers' counts."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served(sqlite_template: Path, tmp_path: Path, request):
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed beside this Python")
    database = tmp_path / "locker.db"
    shutil.copy(sqlite_template, database)
    port = _free_port()
    inherited = {k: v for k, v in os.environ.items() if k != "LOCKER_GUNICORN_ACCESS_LOG"}
    env = {**inherited, "LOCKER_DATABASE_URL": f"sqlite:///{database}", "LOCKER_LOG_FORMAT": "json",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"), "LOCKER_SMS_KICK": "0",
           **getattr(request, "param", {})}
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail((tmp_path / "gunicorn.log").read_text())
        yield base, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_two_workers_are_ready_and_report_one_total(served):
    base, tmp_path = served
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: _get(f"{base}/readyz")[0], range(80)))
    assert statuses == [200] * 80
    status, text = _get(f"{base}/metrics")
    assert status == 200
    counts = {tuple(sorted(s.labels.items())): s.value for f in text_string_to_metric_families(text)
              for s in f.samples if s.name == "locker_http_requests_total"}
    readyz = counts[(("method", "GET"), ("route", "/readyz"), ("status", "200"))]
    assert readyz == 80, "the page must add up the workers' counts"
    assert len(list((tmp_path / "prometheus").glob("counter_*.db"))) == 2, "both workers served requests"
    log = (tmp_path / "gunicorn.log").read_text().splitlines()
    assert any('"logger": "gunicorn.error"' in line and "Booting worker" in line for line in log)
    # Each worker set up the ORM and its first connection before its first request (ops/warmup.py).
    assert sum("warmed up in" in line for line in log) == 2, log
    assert any('"logger": "locker.access"' in line for line in log)


def _headers(url: str) -> dict[str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return dict(answer.headers)
    except urllib.error.HTTPError as error:
        return dict(error.headers)


def test_no_server_header_and_no_gunicorn_access_log_by_default(served):
    base, tmp_path = served
    for path in ("/healthz", "/kiosk/?t%6fken=kiosk-secret-123", "/nothing-here"):
        assert "Server" not in _headers(base + path), path
    log = (tmp_path / "gunicorn.log").read_text()
    assert '"logger": "gunicorn.access"' not in log
    assert "kiosk-secret-123" not in log


@pytest.mark.parametrize("served", [{"LOCKER_GUNICORN_ACCESS_LOG": "1", "LOCKER_LOG_FORMAT": "text"}],
                         indirect=True)
def test_gunicorns_access_log_when_asked_for_keeps_times_and_hides_tokens(served):
    base, tmp_path = served
    _headers(base + "/kiosk/?t%6fken=kiosk-secret-123")
    for _ in range(50):
        lines = [line for line in (tmp_path / "gunicorn.log").read_text().splitlines()
                 if "gunicorn.access" in line and "/kiosk/" in line]
        if lines:
            break
        time.sleep(0.1)
    assert lines and "kiosk-secret-123" not in lines[0]
    assert "t%6fken=[redacted]" in lines[0]
    assert "[phone]" not in lines[0] and "+0000]" in lines[0]  # the time in gunicorn's format survives
