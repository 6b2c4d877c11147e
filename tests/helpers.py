"""Small helpers shared by tests."""

import time


def wait_for(predicate, timeout=30.0, interval=0.1):
    """Poll until predicate() is truthy; return its value or raise after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
