"""The README's screenshots, made again by `make screenshots` (not part of `make test`).

LightsOff's map, report form, kit and stats at phone size (390 × 844), and the
coordinators' dashboard at desktop size, on the demo data of `seed_demo`. Map tiles are
unreachable from the machines that run this: a plain land-coloured tile stands in for
them (the night theme darkens it as it darkens the real ones).
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from tests.e2e.conftest import TILE_URL, log_in

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PARIS = {"latitude": 48.8566, "longitude": 2.3522}  # where the demo puts most shops

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _land_tile():
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (242, 239, 233)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", volunteers=40, projects=8, shops=300, stdout=io.StringIO())
    OUT.mkdir(parents=True, exist_ok=True)
    return live_server


@pytest.fixture
def phone(browser, browser_context_args):
    context = browser.new_context(
        **browser_context_args,
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        geolocation=PARIS,
        permissions=["geolocation"],
    )
    tile = _land_tile()
    context.route(TILE_URL, lambda route: route.fulfill(content_type="image/png", body=tile))
    yield context.new_page()
    context.close()


def test_lightsoff_at_phone_size(demo, phone):
    from lightsoff.models import Shop

    phone.goto(demo.url + "/lightsoff/")
    phone.wait_for_selector(".you-are-here", timeout=15_000)
    for _ in range(3):  # from the street to the district: the demo's shops are spread out
        phone.locator(".leaflet-control-zoom-out").click()
        phone.wait_for_timeout(400)
    phone.wait_for_selector(".shop-pin, .cluster-pin", timeout=15_000)
    phone.wait_for_timeout(500)  # the markers' fade-in
    phone.screenshot(path=OUT / "lightsoff-map.png")

    phone.goto(demo.url + "/lightsoff/report/")
    phone.screenshot(path=OUT / "lightsoff-report.png")

    shop = Shop.objects.reported().order_by("-sightings_count", "pk").first()
    phone.goto(demo.url + shop.get_absolute_url())
    phone.screenshot(path=OUT / "lightsoff-kit.png")

    phone.goto(demo.url + "/lightsoff/stats/")
    phone.screenshot(path=OUT / "lightsoff-stats.png")


def test_coordinator_dashboard(demo, browser, browser_context_args):
    from tests.factories import CoordinatorFactory

    context = browser.new_context(**browser_context_args, viewport={"width": 1280, "height": 800})
    log_in(context, demo, CoordinatorFactory())
    page = context.new_page()
    page.goto(demo.url + "/admin/")
    page.screenshot(path=OUT / "coordinator-dashboard.png")
    context.close()
