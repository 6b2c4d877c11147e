import base64
import json
import re

import pytest


@pytest.fixture
def console_errors(page):
    """Collect console errors and page errors raised while the test drives the page."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


# A 1×1 PNG: the fake of the tile server, unreachable from the tests.
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
TILE_URL = re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/.*")


def fake_tiles(context):
    """Serve every map tile as a blank PNG (no network in tests); returns the URLs asked."""
    asked = []

    def fulfill(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    context.route(TILE_URL, fulfill)
    return asked


def log_in(context, live_server, user):
    """Open a session for `user` in the browser context without going through the form
    (the log-in pages have their own tests)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


# --- What the accessibility gates found, printed at the end of every run --------------
A11Y_REPORT = pytest.StashKey[list]()
A11Y_DIR = pytest.StashKey[object]()


@pytest.fixture(scope="session")
def a11y_report(pytestconfig, tmp_path_factory):
    """A list the gates append their per-page findings to: {"gate", "page", "line", …}.

    Printed in the terminal summary whatever the outcome (pytest shows a passing test's
    output to nobody), and written in full to a11y.json in pytest's temporary directory."""
    pytestconfig.stash[A11Y_DIR] = tmp_path_factory.getbasetemp()
    return pytestconfig.stash.setdefault(A11Y_REPORT, [])


def pytest_terminal_summary(terminalreporter, config):
    entries = config.stash.get(A11Y_REPORT, None)
    if not entries:
        return
    terminalreporter.section("accessibility gates")
    for entry in sorted(entries, key=lambda e: (e["gate"], e["page"], e.get("width", 0))):
        terminalreporter.write_line(entry["line"])
    path = config.stash[A11Y_DIR] / "a11y.json"
    path.write_text(json.dumps(entries, indent=1, ensure_ascii=False))
    terminalreporter.write_line(f"details: {path}")
