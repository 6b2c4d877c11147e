"""The map and report pages: our own scripts only, data through json_script."""

import json
import re

import pytest
from django.urls import reverse, set_script_prefix

from lightsoff import geo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["lightsoff:index", "lightsoff:report"])
def test_the_map_pages_load_leaflet_and_map_js_from_our_static_files(client, url_name):
    response = client.get(reverse(url_name))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<script src="/static/leaflet/leaflet.js" defer></script>' in page
    assert '<script type="module" src="/static/lightsoff/map.js"></script>' in page
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert all('type="application/json"' in attrs for attrs in inline), inline
    # Every script and stylesheet from our own origin (no CDN), whatever else the page says.
    sources = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page)
    assert sources and all(src.startswith("/") for src in sources), sources
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_map_reads_its_tiles_and_urls_from_the_page(client, settings):
    settings.LEAFLET_CONFIG = {
        **settings.LEAFLET_CONFIG,
        "TILES": "https://tiles.example/{z}/{x}/{y}.png",
    }
    page = client.get(reverse("lightsoff:index")).content.decode()
    config = json.loads(
        re.search(r'id="lightsoff-config" type="application/json">(.*?)</script>', page).group(1)
    )
    assert config["tiles"] == "https://tiles.example/{z}/{x}/{y}.png"
    assert config["api"] == "/lightsoff/api/shops.geojson"
    assert config["reverse"] == ""  # no geocoder configured


def test_the_api_is_revalidated_so_a_new_colour_shows_at_once(client):
    response = client.get(reverse("lightsoff:api_shops"), {"bbox": "2,48,3,49", "zoom": 10})
    assert response["Cache-Control"] == "no-cache"


def _config(page):
    found = re.search(r'id="lightsoff-config" type="application/json">(.*?)</script>', page)
    return json.loads(found.group(1))


def test_the_map_gets_the_shop_url_as_a_template_and_the_limits_of_geo_py(client):
    config = _config(client.get(reverse("lightsoff:index")).content.decode())
    assert config["shopUrl"] == "/lightsoff/shops/{id}/"
    assert config["shopUrl"].replace("{id}", "42") == reverse("lightsoff:shop", args=[42])
    assert config["limits"] == {"maxSpan": geo.MAX_SPAN, "maxViewTiles": geo.MAX_VIEW_TILES}
    assert config["pointsFromZoom"] == geo.POINTS_FROM_ZOOM


def test_the_url_templates_follow_the_script_prefix(client):
    url = reverse("lightsoff:report")
    set_script_prefix("/reserve/")  # as WSGIHandler does behind a proxy's SCRIPT_NAME
    try:
        config = _config(client.get(url).content.decode())
    finally:
        set_script_prefix("/")
    assert config["shopUrl"] == "/reserve/lightsoff/shops/{id}/"
    assert config["api"] == "/reserve/lightsoff/api/shops.geojson"


@pytest.mark.parametrize("url_name", ["lightsoff:index", "lightsoff:report"])
def test_the_map_gets_its_messages_translated_through_the_config(client, url_name):
    page = client.get(reverse(url_name)).content.decode()
    config = json.loads(
        re.search(r'id="lightsoff-config" type="application/json">(.*?)</script>', page).group(1)
    )
    messages = config["messages"]
    assert messages["noTiles"].startswith("Le fond de carte ne se charge pas")
    assert messages["noShops"] == "Aucun commerce signalé ici. Dézoomez, ou signalez le premier."
    assert messages["noLocation"].startswith("Position indisponible")
    assert messages["cluster"] == {"one": "{count} commerce", "other": "{count} commerces"}
    assert config["attribution"] == "© les contributeurs d’OpenStreetMap"
    # The status region exists before any message, so that screen readers follow it.
    assert '<div id="map-status" class="map-status" role="status" aria-live="polite">' in page
