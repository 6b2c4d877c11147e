"""`make run PORT=…`: the links of the demo's e-mails point at the server it starts."""

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@pytest.fixture
def checkout(tmp_path):
    """The Makefile beside a stand-in Python that prints the SITE_URL each command gets."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").touch()
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text('#!/bin/sh\necho "$2 SITE_URL=$SITE_URL"\n')
    python.chmod(0o755)
    os.utime(tmp_path / "pyproject.toml", (0, 0))  # the install stamp is newer: no install
    (tmp_path / ".venv" / ".installed-stamp").touch()
    return tmp_path


def _run(checkout, *args, **env):
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | env
    result = subprocess.run(
        ["make", "-s", "run", *args],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "SITE_URL=" in line]


def test_make_run_on_another_port_links_to_that_port(checkout):
    lines = _run(checkout, "PORT=8101")
    # migrate (the Site record), seed_demo (the demo's e-mails) and the server itself.
    assert lines == [
        "migrate SITE_URL=http://127.0.0.1:8101",
        "seed_demo SITE_URL=http://127.0.0.1:8101",
        "runserver SITE_URL=http://127.0.0.1:8101",
    ]


def test_a_site_url_that_is_set_wins(checkout):
    assert set(_run(checkout, "PORT=8101", SITE_URL="https://reserve.example.org")) == {
        f"{command} SITE_URL=https://reserve.example.org"
        for command in ("migrate", "seed_demo", "runserver")
    }
    (checkout / ".env").write_text("SITE_URL=https://from-dotenv.example.org\n")
    # Left unset for Django, which reads .env itself.
    assert all(line.endswith("SITE_URL=") for line in _run(checkout, "PORT=8101"))
