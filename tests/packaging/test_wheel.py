"""A wheel built from the repository is a working service: installed into a fresh virtual environment it
migrates its database, seeds the demo, and serves the kiosk page, the admin sign-in, the directory and
/readyz under gunicorn, with no checkout in sight.

The fresh environment finds its dependencies in the test run's own site-packages (a .pth line), so the test
needs no network; the locker package itself comes only from the wheel (the checkout's editable finder is a
.pth that a path added this way never runs)."""

from __future__ import annotations

import os
import site
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-q", "-w", str(work / "dist")], check=True, cwd=work)
    wheel = next((work / "dist").glob("locker_service-*.whl"))
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    fresh_site = next((env_dir / "lib").glob("python*/site-packages"))
    (fresh_site / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(env_dir / "bin/python"), "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                    "--disable-pip-version-check", str(wheel)], check=True, cwd=work)
    return env_dir


def _run(env_dir: Path, *args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run([str(env_dir / "bin/locker"), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_installed_wheel_migrates_seeds_and_serves(installed, tmp_path):
    origin = subprocess.run([str(installed / "bin/python"), "-c", "import locker_app; print(locker_app.__file__)"],
                            capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert str(installed) in origin and str(REPO) not in origin
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LOCKER_")},
           "LOCKER_DATABASE_URL": f"sqlite:///{tmp_path / 'locker.db'}"}
    _run(installed, "db", "upgrade", env=env, cwd=tmp_path)
    seeded = _run(installed, "seed-demo", env=env, cwd=tmp_path)
    assert "MAPO-001" in seeded
    port = _free_port()
    server = subprocess.Popen([str(installed / "bin/python"), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "locker_app:create_app()"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        pages = {path: urllib.request.urlopen(base + path, timeout=5) for path in
                 ("/readyz", "/kiosk/", "/kiosk/js/app.js", "/admin/login", "/sites/", "/sites/static/directory.js")}
        assert {path: answer.status for path, answer in pages.items()} == dict.fromkeys(pages, 200)
        assert b"<html" in pages["/kiosk/"].read()
        assert "로그인".encode() in pages["/admin/login"].read()  # the compiled Korean catalogue came along
        assert b"MAPO-001" in pages["/sites/"].read()
    finally:
        server.terminate()
        server.wait(10)
