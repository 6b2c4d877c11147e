"""/lightsoff/api/…: the map's GeoJSON, nearby shops, reverse geocoding."""

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lightsoff import geo
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
URL = reverse("lightsoff:api_shops")
PARIS_BBOX = "2.30,48.83,2.40,48.88"


def get(client, **params):
    response = client.get(URL, params)
    return response, json.loads(response.content)


def test_zoomed_in_the_api_returns_each_shop_as_rfc7946_points(client):
    shop = ShopFactory(name="Opticien Lumière", latitude="48.853500", longitude="2.372000")
    ShopFactory(latitude="45.764000", longitude="4.835700")  # Lyon: outside the bbox
    response, data = get(client, bbox=PARIS_BBOX, zoom=15)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.372, 48.8535]}  # lng, lat
    assert feature["properties"]["id"] == shop.pk
    assert feature["properties"]["name"] == "Opticien Lumière"
    assert feature["properties"]["status"] == "reported"


def test_hidden_merged_and_merely_imported_shops_are_not_on_the_map(client):
    ShopFactory(is_hidden=True)
    ShopFactory(sightings_count=0, osm_id="node/1")
    target = ShopFactory()
    ShopFactory(merged_into=target)
    _response, data = get(client, bbox=PARIS_BBOX, zoom=15)
    assert [f["properties"]["id"] for f in data["features"]] == [target.pk]


def test_zoomed_out_the_api_returns_clusters_with_counts(client):
    for i in range(5):
        ShopFactory(latitude=f"48.85{i}000", longitude="2.350000", status="reported")
    ShopFactory(latitude="48.851000", longitude="2.351000", status="resolved")
    ShopFactory(latitude="43.296500", longitude="5.369800")  # Marseille
    _response, data = get(client, bbox="-5.5,41.0,10.0,51.5", zoom=6)
    clusters = sorted(data["features"], key=lambda f: -f["properties"]["count"])
    assert [c["properties"]["count"] for c in clusters] == [6, 1]
    paris = clusters[0]
    assert paris["properties"]["cluster"] is True
    assert paris["properties"]["status"] == "reported"
    assert paris["properties"]["statuses"] == {"reported": 5, "resolved": 1}
    lng, lat = paris["geometry"]["coordinates"]
    assert 48.84 < lat < 48.86 and 2.34 < lng < 2.36


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"bbox": "2,48,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "2,48,3,95"},
        {"bbox": "3,48,2,49"},
        {"bbox": "-100,-40,100,60"},
        {"bbox": PARIS_BBOX, "zoom": "x"},
        {"bbox": PARIS_BBOX, "zoom": "99"},
    ],
)
def test_a_bad_request_gets_a_400_json_error(client, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"]


def test_the_error_is_in_the_readers_language(client):
    _response, data = get(client)
    assert "manque" in data["error"]
    client.post(reverse("set_language"), {"language": "en"})
    _response, data = get(client)
    assert "missing" in data["error"]


def test_the_api_is_rate_limited_per_ip(client, settings):
    settings.LIGHTSOFF_RATE_LIMITS = {"api": (3, 60)}
    for _ in range(3):
        assert client.get(URL, {"bbox": PARIS_BBOX, "zoom": 15}).status_code == 200
    response = client.get(URL, {"bbox": PARIS_BBOX, "zoom": 15})
    assert response.status_code == 429
    assert json.loads(response.content)["error"].startswith("Trop de demandes")


@pytest.mark.parametrize(
    ("url_name", "bad_params"),
    [
        ("lightsoff:api_shops", {"bbox": "a,b,c,d"}),
        ("lightsoff:api_nearby", {"lat": "x", "lng": "2"}),
        ("lightsoff:api_reverse", {"lat": "95", "lng": "2"}),
    ],
)
def test_bad_requests_count_towards_the_limit_of_every_api(client, settings, url_name, bad_params):
    settings.LIGHTSOFF_RATE_LIMITS = {"api": (2, 60)}
    url = reverse(url_name)
    assert [client.get(url, bad_params).status_code for _ in range(2)] == [400, 400]
    response = client.get(url, bad_params)
    assert response.status_code == 429
    assert json.loads(response.content)["error"].startswith("Trop de demandes")
    # The limit is the visitor's across the API, not the URL's.
    assert client.get(URL, {"bbox": PARIS_BBOX, "zoom": 15}).status_code == 429


def test_the_map_query_count_does_not_grow_with_shops(client, django_assert_max_num_queries):
    for i in range(30):
        ShopFactory(latitude=f"48.85{i:02d}00")
    with django_assert_max_num_queries(1):
        get(client, bbox=PARIS_BBOX, zoom=15)
    with django_assert_max_num_queries(1):
        get(client, bbox="-5.5,41.0,10.0,51.5", zoom=6)


_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(max_size=8),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parts=st.lists(_numbers, min_size=0, max_size=6),
    zoom=st.one_of(st.integers(-5, 40), st.text(max_size=4)),
)
def test_no_bbox_or_zoom_makes_the_api_fail(client, parts, zoom):
    bbox = ",".join(str(p) for p in parts)
    response = client.get(URL, {"bbox": bbox, "zoom": zoom})
    assert response.status_code in (200, 400)
    json.loads(response.content)


def test_nearby_lists_known_shops_within_50_m_nearest_first(client):
    base = (48.8566, 2.3522)
    far = ShopFactory(name="Loin", latitude="48.857500", longitude="2.352200")  # ~100 m
    lat, lng = geo.offset(*base, north_m=20)
    near = ShopFactory(name="Près", latitude=f"{lat:.6f}", longitude=f"{lng:.6f}")
    lat, lng = geo.offset(*base, east_m=40)
    imported = ShopFactory(
        name="Importé", sightings_count=0, latitude=f"{lat:.6f}", longitude=f"{lng:.6f}"
    )
    data = client.get(reverse("lightsoff:api_nearby"), {"lat": base[0], "lng": base[1]}).json()
    assert [s["id"] for s in data["shops"]] == [near.pk, imported.pk]
    assert data["shops"][0]["distance_m"] == 20
    assert far.pk not in [s["id"] for s in data["shops"]]


@pytest.mark.parametrize("params", [{}, {"lat": "x", "lng": "2"}, {"lat": "95", "lng": "2"}])
def test_nearby_refuses_bad_points_with_a_400(client, params):
    response = client.get(reverse("lightsoff:api_nearby"), params)
    assert response.status_code == 400 and response.json()["error"]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lat=_numbers, lng=_numbers)
def test_no_point_makes_the_nearby_api_fail(client, lat, lng):
    response = client.get(reverse("lightsoff:api_nearby"), {"lat": str(lat), "lng": str(lng)})
    assert response.status_code in (200, 400)
    assert "shops" in response.json() or "error" in response.json()


@pytest.mark.parametrize(
    ("bbox", "zoom"),
    [("-5.5,41.0,10.0,51.5", 18), ("-5.5,41.0,10.0,51.5", 14), ("2.0,48.5,3.0,49.0", 17)],
)
def test_a_country_asked_at_street_zoom_is_refused_with_a_json_error(client, bbox, zoom):
    ShopFactory(latitude="48.853500", longitude="2.372000")
    response, data = get(client, bbox=bbox, zoom=zoom)
    assert response.status_code == 400
    assert data["error"] == "La bbox est trop grande : zoomez."


def test_the_widest_screen_at_a_zoom_is_still_served(client):
    span = geo.MAX_VIEW_TILES * 360 / 2**17 * 0.99
    response, _data = get(client, bbox=f"2.30,48.83,{2.30 + span:.5f},48.84", zoom=17)
    assert response.status_code == 200
