import pytest


@pytest.fixture
def console_errors(page):
    """Collect console errors and page errors raised while the test drives the page."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors
