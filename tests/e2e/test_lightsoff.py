"""LightsOff in a real Chromium, on a phone, at night in Paris (the issue's "done when")."""

import base64
import re

import pytest
from playwright.sync_api import expect

from lightsoff import geo
from lightsoff.models import ContactAction, Shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BASTILLE = (48.853200, 2.369100)
# A 1×1 PNG: the fake of the tile server, unreachable from here.
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def phone(browser, browser_context_args):
    context = browser.new_context(
        **browser_context_args,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": BASTILLE[0], "longitude": BASTILLE[1]},
        permissions=["geolocation", "clipboard-read", "clipboard-write"],
    )
    tiles = []

    def fake_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    context.route(re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/.*"), fake_tile)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.tiles = tiles
    yield page
    context.close()


def open_map(page, url):
    page.goto(url + "/lightsoff/")
    # Located: the map moved to the street and loaded the shops there.
    expect(page.locator("#lightsoff-map")).to_have_attribute("data-loaded-zoom", "17")


def test_report_twice_open_the_kit_copy_a_message_and_see_the_colour_change(live_server, phone):
    page = phone
    open_map(page, live_server.url)
    assert page.tiles, "the map asked for tiles"

    # 1. A new shop, reported where the phone stands.
    page.get_by_role("link", name="Signaler un commerce éclairé").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler un commerce éclairé")
    expect(page.locator("#id_latitude")).to_have_value(f"{BASTILLE[0]:.6f}")
    expect(page.locator("#known-shops")).to_be_hidden()
    page.get_by_label("Nom du commerce").fill("Boulangerie de la Nuit")
    page.get_by_label("La vitrine ou l'éclairage intérieur").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boulangerie de la Nuit")
    shop = Shop.objects.get()

    # The map shows it, red ("reported").
    open_map(page, live_server.url)
    pin = page.locator(f'.shop-pin[data-shop-id="{shop.pk}"]')
    expect(pin).to_have_attribute("data-status", "reported")
    reported_colour = pin.evaluate("el => getComputedStyle(el).backgroundColor")

    # 2. Twenty metres away, the same shop is proposed: a sighting, not a duplicate.
    lat, lng = geo.offset(*BASTILLE, north_m=12, east_m=16)
    page.context.set_geolocation({"latitude": lat, "longitude": lng})
    open_map(page, live_server.url)
    page.get_by_role("link", name="Signaler un commerce éclairé").click()
    known = page.locator("#known-shops")
    expect(known).to_be_visible()
    expect(page.get_by_role("group", name="Est-ce l'un de ceux-ci ?")).to_be_visible()
    known.get_by_label(re.compile(r"Boulangerie de la Nuit — .*20 m")).check()
    expect(page.get_by_label("Nom du commerce")).to_be_hidden()
    page.get_by_label("La vitrine ou l'éclairage intérieur").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boulangerie de la Nuit")
    expect(page.get_by_text("Votre signalement a été ajouté à ce commerce")).to_be_visible()
    assert Shop.objects.count() == 1
    assert Shop.objects.get().sightings_count == 2

    # 3. The kit: copy a ready message.
    copy = page.locator('[data-copy-target="message-friendly-fr"]')
    copy.click()
    expect(copy).to_have_text("Copié !")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Bonjour Boulangerie de la Nuit !")

    # 4. "I did it".
    page.get_by_label("Comment avez-vous contacté le commerce ?").select_option("sms")
    page.get_by_role("button", name="Je l'ai fait").click()
    expect(page.get_by_text("Merci ! Votre action est enregistrée.")).to_be_visible()
    expect(page.get_by_test_id("shop-status")).to_have_text("Contacté")
    assert ContactAction.objects.get().channel == "sms"

    # 5. Back on the map, the shop changed colour.
    open_map(page, live_server.url)
    pin = page.locator(f'.shop-pin[data-shop-id="{shop.pk}"]')
    expect(pin).to_have_attribute("data-status", "contacted")
    assert pin.evaluate("el => getComputedStyle(el).backgroundColor") != reported_colour

    assert page.errors == []


def test_without_geolocation_the_map_opens_on_france(live_server, browser, browser_context_args):
    context = browser.new_context(**browser_context_args, viewport={"width": 390, "height": 844})
    context.route(
        re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/.*"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE),
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/lightsoff/")
    expect(page.locator("#lightsoff-map")).to_have_attribute("data-loaded-zoom", "6")
    expect(page.locator("#map-status")).to_contain_text("Position indisponible")
    expect(page.get_by_text("Légende")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()


def test_the_report_pin_can_be_dragged_onto_a_known_shop(live_server, phone):
    from tests.factories import ShopFactory

    lat, lng = geo.offset(*BASTILLE, east_m=70)  # beyond the 50 m of "is it one of these?"
    ShopFactory(name="Fleuriste du Coin", latitude=f"{lat:.6f}", longitude=f"{lng:.6f}")
    page = phone
    page.goto(f"{live_server.url}/lightsoff/report/?lat={BASTILLE[0]}&lng={BASTILLE[1]}")
    expect(page.locator("#id_latitude")).to_have_value(f"{BASTILLE[0]:.6f}")
    expect(page.locator("#known-shops")).to_be_hidden()
    pin = page.locator(".report-pin")
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 10 * step, y, steps=2)  # about 40 m east at zoom 18
    page.mouse.up()
    expect(page.locator("#id_longitude")).not_to_have_value(f"{BASTILLE[1]:.6f}")
    expect(page.get_by_label(re.compile("Fleuriste du Coin"))).to_be_visible()
    assert page.errors == []


def test_a_pin_opens_a_popup_that_links_to_the_kit(live_server, phone):
    from tests.factories import ShopFactory

    shop = ShopFactory(name="Opticien de Nuit", latitude=BASTILLE[0], longitude=BASTILLE[1])
    page = phone
    open_map(page, live_server.url)
    page.locator(f'.shop-pin[data-shop-id="{shop.pk}"]').click()
    link = page.locator(".leaflet-popup").get_by_role("link", name="Ouvrir le kit")
    expect(link).to_have_attribute("href", f"/lightsoff/shops/{shop.pk}/")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opticien de Nuit")
    assert page.errors == []


# --- Said, not silent: no tiles, no shop, no position -----------------------------------
TILES = re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/.*")
NO_TILES = "Le fond de carte ne se charge pas"
NO_SHOPS = "Aucun commerce signalé ici. Dézoomez, ou signalez le premier."
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _offline_tiles_page(browser, browser_context_args, viewport, *, located=True):
    """A page whose tile server is unreachable (every tile request aborted)."""
    context = browser.new_context(
        **browser_context_args,
        viewport=viewport,
        geolocation={"latitude": BASTILLE[0], "longitude": BASTILLE[1]} if located else None,
        permissions=["geolocation"] if located else [],
    )
    context.route(TILES, lambda route: route.abort("internetdisconnected"))
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            page.errors.append(msg.text)
            # The browser logs each aborted tile: that is the situation under test.
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None
        ),
    )
    return page


def assert_readable(page, locator):
    """The element is visible and on top all over (a grid of points inside its box):
    nothing (the links, the legend, the buttons) covers any part of it."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    for fx, fy in ((fx, fy) for fx in (0.08, 0.5, 0.92) for fy in (0.15, 0.5, 0.85)):
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        on_top = locator.evaluate(
            "(el, [x, y]) => { const hit = document.elementFromPoint(x, y);"
            " return hit === el || el.contains(hit) }",
            [x, y],
        )
        assert on_top, f"covered at ({x:.0f}, {y:.0f})"


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_with_no_tiles_the_map_says_so_and_still_shows_the_shops(
    live_server, browser, browser_context_args, viewport
):
    page = _offline_tiles_page(browser, browser_context_args, VIEWPORTS[viewport])
    open_map(page, live_server.url)
    status = page.locator("#map-status")
    expect(status).to_have_attribute("aria-live", "polite")
    tiles_line = status.get_by_text(NO_TILES)
    empty_line = status.get_by_text(NO_SHOPS)
    assert_readable(page, tiles_line)
    assert_readable(page, empty_line)

    # A shop in view: its pin shows on the blank map, and "no shop here" goes.
    from tests.factories import ShopFactory

    shop = ShopFactory(name="Fleuriste Hors Ligne", latitude=BASTILLE[0], longitude=BASTILLE[1])
    page.reload()
    expect(page.locator("#lightsoff-map")).to_have_attribute("data-loaded", "1")
    expect(page.locator(f'.shop-pin[data-shop-id="{shop.pk}"]')).to_be_visible()
    assert_readable(page, status.get_by_text(NO_TILES))
    expect(status.get_by_text(NO_SHOPS)).to_have_count(0)
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_position_unavailable_is_readable_on_the_map(
    live_server, browser, browser_context_args, viewport
):
    page = _offline_tiles_page(browser, browser_context_args, VIEWPORTS[viewport], located=False)
    page.goto(live_server.url + "/lightsoff/")
    expect(page.locator("#lightsoff-map")).to_have_attribute("data-loaded-zoom", "6")
    line = page.locator("#map-status").get_by_text("Position indisponible")
    assert_readable(page, line)
    # The links at the top still readable too, beside it rather than over it.
    assert_readable(page, page.get_by_role("link", name="Chiffres et données ouvertes"))
    assert page.errors == []
    page.context.close()


# --- Legible at night (RGAA: 4.5:1 for text) ---------------------------------------------
# The contrast a reader gets: the element's text colour against the backgrounds under it,
# translucent layers composited over white (the lightest tile or page there can be).
CONTRAST = """(el) => {
  const parse = (c) => {
    const p = c.match(/rgba?\\(([^)]+)\\)/)[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const bg = parse(getComputedStyle(node).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let base = [255, 255, 255, 1];
  for (const [r, g, b, a] of layers.reverse()) {
    base = [r, g, b].map((c, i) => a * c + (1 - a) * base[i]).concat(1);
  }
  const [high, low] = [lum(parse(getComputedStyle(el).color)), lum(base)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}"""


def assert_contrast(locator, what, minimum=4.5):
    expect(locator.first).to_be_visible()
    for i in range(locator.count()):
        ratio = locator.nth(i).evaluate(CONTRAST)
        assert ratio >= minimum, f"{what} #{i}: {ratio:.2f}:1"


@pytest.fixture(params=list(VIEWPORTS))
def night_page(request, browser, browser_context_args):
    """A phone or a desktop at the Bastille, with the fake tile server."""
    context = browser.new_context(
        **browser_context_args,
        viewport=VIEWPORTS[request.param],
        geolocation={"latitude": BASTILLE[0], "longitude": BASTILLE[1]},
        permissions=["geolocation"],
    )
    context.route(
        TILES, lambda route: route.fulfill(status=200, content_type="image/png", body=TILE)
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def test_every_lightsoff_page_is_legible_at_night(live_server, night_page):
    page = night_page
    # The map: the header and the skip link keep their day colours, Leaflet's controls and
    # attribution take the night theme.
    open_map(page, live_server.url)
    assert_contrast(page.locator(".site-header a, .site-header button"), "header")
    page.keyboard.press("Tab")
    assert_contrast(page.locator(".skip-link"), "skip link")
    assert_contrast(page.locator(".leaflet-control-attribution a"), "attribution link")
    assert_contrast(page.locator(".leaflet-control-zoom a"), "zoom buttons")
    assert_contrast(page.locator(".map-links a"), "figures link")
    assert_contrast(page.locator(".map-legend li"), "legend")

    # The report form: help text, the yellow button.
    page.get_by_role("link", name="Signaler un commerce éclairé").click()
    assert_contrast(page.locator(".helptext"), "help text")
    assert_contrast(page.get_by_role("button", name="Envoyer le signalement"), "send button")
    page.get_by_label("Nom du commerce").fill("Librairie des Veilleurs")
    page.get_by_label("La vitrine ou l'éclairage intérieur").check()
    page.get_by_role("button", name="Envoyer le signalement").click()

    # The kit: the thank-you message, the figures, the buttons, the help texts.
    thanks = page.locator(".message").filter(has_text="Merci ! Le commerce est sur la carte.")
    assert_contrast(thanks, "thank-you message")
    assert_contrast(page.locator(".counts li"), "figure labels")
    assert_contrast(page.locator(".counts strong"), "figures")
    for name in ("Ouvrir sur OpenStreetMap", "Imprimer une lettre"):
        assert_contrast(page.get_by_role("link", name=re.compile(name)), name)
    assert_contrast(page.get_by_role("link", name=re.compile("service de carte")), "map service")
    assert_contrast(page.locator(".kit .helptext"), "kit help texts")
    assert_contrast(page.locator(".kit legend"), "radio group legend")
    assert_contrast(page.locator(".kit button[type=submit]"), "kit buttons")

    # The figures: labels, and tables that scroll on a phone are reachable by keyboard.
    page.goto(live_server.url + "/lightsoff/stats/")
    assert_contrast(page.locator(".counts li"), "stats labels")
    assert_contrast(page.locator(".counts strong"), "stats figures")
    assert_contrast(page.locator("td, th"), "table cells")
    expect(page.locator(".counts li").first).to_have_css("list-style-type", "none")
    for region in page.locator(".table-scroll").all():
        expect(region).to_have_attribute("tabindex", "0")
        expect(region).to_have_attribute("role", "region")
        assert region.get_attribute("aria-label")
    # Only the tables scroll sideways, not the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    # The letter to print renders too.
    page.go_back()
    page.get_by_role("link", name=re.compile("Imprimer une lettre")).click()
    expect(page.locator(".letter")).to_contain_text("Librairie des Veilleurs")
    assert page.errors == []
