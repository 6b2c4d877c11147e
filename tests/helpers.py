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


# Values that satisfy each path converter; the resolver checks only their shape.
_SAMPLES = {"int": "1", "slug": "sample", "str": "sample", "path": "sample", "uuid": None}


def url_paths(prefix=""):
    """Every path of the URLconf, each pattern filled with a sample value per converter
    (regex patterns: named groups get the first app label when called `app_label`, else
    "1"). For walks that must not forget a page added later."""
    import re

    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RegexPattern, RoutePattern

    def fill(pattern):
        if isinstance(pattern, RoutePattern):
            route = pattern._route
            return re.sub(
                r"<(?:(\w+):)?\w+>",
                lambda m: _SAMPLES.get(m.group(1) or "str") or "sample",
                route,
            )
        if isinstance(pattern, RegexPattern):
            regex = pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
            regex = re.sub(r"\(\?P<app_label>[^)]*\)", "volunteers", regex)
            regex = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
            if re.search(r"[\\()\[\]*+?|]", regex):
                return None  # not a fixed shape: skipped
            return regex
        return None

    def walk(patterns, base):
        for item in patterns:
            part = fill(item.pattern)
            if part is None:
                continue
            if isinstance(item, URLResolver):
                yield from walk(item.url_patterns, base + part)
            elif isinstance(item, URLPattern):
                yield "/" + base + part

    return sorted({p for p in walk(get_resolver().url_patterns, "") if p.startswith(prefix)})
