"""`make run`: the site answers on the embedded default, with no service running."""

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.helpers import wait_for

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARIABLES = ("REDIS_URL", "EMAIL_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local server
            return response.status, response.read()
    except OSError:
        return None


def test_the_embedded_default_serves_home_and_healthz(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    # Only the SQLite file moves to a temporary place; everything else is the default.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )

    manage("migrate", "--noinput")
    seeded = manage("seed_demo", "--volunteers", "5", "--projects", "2", "--shops", "5")
    assert "coordinator@reserve.localhost" in seeded.stdout

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        home = wait_for(lambda: _get(f"http://127.0.0.1:{port}/"), timeout=60)
        assert home[0] == 200
        assert "Rejoindre la réserve" in home[1].decode()
        status, body = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
        assert json.loads(body) == {
            "status": "ok",
            "database": "ok",
            "cache": "ok",
            "broker": "eager",
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
