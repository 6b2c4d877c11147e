"""The accessibility gates of issue #13 ("Legible at night, accessible to all").

- axe-core, in Debian's Chromium, on every page of the inventory (a11y_pages.py: the public
  pages, the volunteer's, the coordinator's key admin pages) at a phone's width (390×844)
  and a laptop's (1280×800): no critical and no serious violation.
- The Nu HTML Checker (node_modules/vnu-jar, on Java) on the HTML the server sends for
  every public page and the error pages: no error (warnings are printed, they do not fail).
- The inventory has every page of our apps, so that a page added later is checked too.

Both print per page what they found in the terminal summary ("accessibility gates"), pass
or fail, and write the details to a11y.json in pytest's temporary directory.
"""

import json
import subprocess
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.conftest import VNU_JAR
from tests.e2e.a11y_pages import (
    COORDINATOR,
    ERROR_TEMPLATES,
    NOT_PAGES,
    OUR_NAMESPACES,
    PAGES,
    PUBLIC_PAGES,
    TOWN_HALL,
    VOLUNTEER,
    build_site,
)
from tests.e2e.conftest import fake_tiles, log_in

VIEWPORTS = {
    390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    1280: {"viewport": {"width": 1280, "height": 800}},
}
BLOCKING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
AXE = Axe()


def _axe_entry(page_spec, width, path, violations):
    counts = Counter(v["impact"] for v in violations)
    rules = ", ".join(f"{v['id']} ({v['impact']})" for v in violations) or "none"
    figures = " ".join(f"{impact} {counts[impact]}" for impact in IMPACTS)
    return {
        "gate": "axe",
        "page": page_spec.name,
        "width": width,
        "path": path,
        "line": f"axe {page_spec.name:24} @{width:<4} {figures} · {rules}",
        "violations": [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [
                    {"target": node["target"], "summary": node.get("failureSummary", "")}
                    for node in v["nodes"]
                ],
            }
            for v in violations
        ],
    }


def _describe(entry):
    lines = []
    for v in entry["violations"]:
        if v["impact"] in BLOCKING:
            targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            lines.append(f"  @{entry['width']} {v['id']} ({v['impact']}): {v['help']} → {targets}")
    return lines


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_spec", PAGES, ids=lambda p: p.name)
def test_axe_finds_no_serious_violation(
    page_spec, live_server, browser, browser_context_args, settings, a11y_report
):
    # Coordinators use a second factor in production; its pages are tested elsewhere.
    settings.REQUIRE_STAFF_MFA = False
    site = build_site()
    path = page_spec.path(site)
    user = {
        VOLUNTEER: site.volunteer,
        COORDINATOR: site.coordinator,
        TOWN_HALL: site.town_hall_agent,
    }.get(page_spec.who)
    failures = []
    for width, options in VIEWPORTS.items():
        context = browser.new_context(**browser_context_args, **options)
        try:
            fake_tiles(context)
            if user is not None:
                log_in(context, live_server, user)
            page = context.new_page()
            response = page.goto(live_server.url + path)
            if response.status != page_spec.status:
                a11y_report.append(
                    {
                        "gate": "axe",
                        "page": page_spec.name,
                        "width": width,
                        "path": path,
                        "status": response.status,
                        "line": f"axe {page_spec.name:24} @{width:<4} HTTP {response.status}",
                        "violations": [],
                    }
                )
            assert response.status == page_spec.status, f"{path} answered {response.status}"
            if page_spec.ready:
                page.wait_for_selector(page_spec.ready, state="attached")
            violations = AXE.run(page).response["violations"]
        finally:
            context.close()
        entry = _axe_entry(page_spec, width, path, violations)
        a11y_report.append(entry)
        failures += _describe(entry)
    assert not failures, f"{page_spec.name} ({path}):\n" + "\n".join(failures)


def _our_view_names():
    """The names of reserve/urls.py's own views and of our apps' (not allauth's, the admin's)."""
    for item in get_resolver().url_patterns:
        if isinstance(item, URLPattern) and item.name:
            yield item.name
        elif isinstance(item, URLResolver) and item.namespace in OUR_NAMESPACES:
            yield from (f"{item.namespace}:{p.name}" for p in item.url_patterns if p.name)


@pytest.mark.django_db
def test_the_inventory_has_every_page_of_our_apps():
    """A page added to an app is added to a11y_pages.PAGES, so that the gates see it."""
    site = build_site()
    covered = {resolve(page.path(site)).view_name for page in PAGES if page.status != 404}
    assert set(_our_view_names()) - covered - NOT_PAGES == set()


# --- The Nu HTML Checker -------------------------------------------------------------
# The JVM takes seconds to start: the first test renders every public page and checks
# them all in one run; the others read its results.
_NU_RESULTS = {}


def _check_public_pages(tmp_dir):
    """{page name: (HTTP status, the checker's messages)}, one checker run for them all."""
    site = build_site()
    # A page that fails is reported by its own test, not by all of them.
    client = Client(raise_request_exception=False)
    statuses = {}
    for page_spec in PUBLIC_PAGES:
        response = client.get(page_spec.path(site))
        (tmp_dir / f"{page_spec.name}.html").write_bytes(response.content)
        statuses[page_spec.name] = response.status_code
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    for name, template in ERROR_TEMPLATES.items():
        html = render_to_string(template, {"message": "Requête invalide."}, request=request)
        (tmp_dir / f"{name}.html").write_text(html)
        statuses[name] = None
    completed = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout"]
        + [str(tmp_dir / f"{name}.html") for name in statuses],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if not completed.stdout.strip():
        raise AssertionError(f"the Nu HTML Checker did not run: {completed.stderr[-2000:]}")
    messages = {name: [] for name in statuses}
    for message in json.loads(completed.stdout)["messages"]:
        # "url" is the file checked ("file:/tmp/…/home.html"); none: the checker itself.
        name = message.get("url", "").rpartition("/")[2].removesuffix(".html")
        if name not in messages:
            raise AssertionError(f"the Nu HTML Checker failed: {message}")
        messages[name].append(message)
    return {name: (statuses[name], messages[name]) for name in statuses}


@pytest.fixture
def nu_results(tmp_path_factory):
    if not _NU_RESULTS:
        _NU_RESULTS.update(_check_public_pages(tmp_path_factory.mktemp("nu")))
    return _NU_RESULTS


def _nu_line(message):
    where = f"line {message.get('lastLine', '?')}"
    extract = " ".join(message.get("extract", "").split())[:80]
    return f"{where}: {message['message']} [{extract}]"


@pytest.mark.vnu
@pytest.mark.django_db
@pytest.mark.parametrize("name", [p.name for p in PUBLIC_PAGES] + list(ERROR_TEMPLATES))
def test_the_nu_html_checker_finds_no_error(name, nu_results, a11y_report):
    status, messages = nu_results[name]
    expected = {p.name: p.status for p in PUBLIC_PAGES}.get(name)
    errors = [m for m in messages if m["type"] == "error"]
    warnings = [m for m in messages if m["type"] != "error"]
    a11y_report.append(
        {
            "gate": "nu",
            "page": name,
            "status": status,
            "expected": expected,
            "line": f"nu  {name:24} errors {len(errors)} warnings {len(warnings)}"
            + (f" (HTTP {status})" if status != expected else "")
            + "".join(f"\n      error {_nu_line(m)}" for m in errors)
            + "".join(f"\n      warning {_nu_line(m)}" for m in warnings),
            "messages": messages,
        }
    )
    assert status == expected, f"{name} answered {status}, not {expected}"
    assert not errors, f"{name}:\n" + "\n".join(_nu_line(m) for m in errors)
