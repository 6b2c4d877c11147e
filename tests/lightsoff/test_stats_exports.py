"""/lightsoff/stats/ and the open-data exports."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from lightsoff import selectors
from tests.factories import ShopFactory, SightingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_stats_count_shops_per_status_city_and_departement(client, django_assert_max_num_queries):
    ShopFactory.create_batch(3, city="Paris", postcode="75011")
    ShopFactory(city="Paris", postcode="75004", status="contacted", contacted_at=timezone.now())
    ShopFactory(city="Lyon", postcode="69002", status="resolved", resolved_at=timezone.now())
    ShopFactory(city="Ajaccio", postcode="20000")
    ShopFactory(city="Paris", postcode="75011", is_hidden=True)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("lightsoff:stats"))
    data = response.context["stats"]
    assert data["total"] == 6
    assert data["totals"]["resolved"] == 1
    paris = next(row for row in data["cities"] if row["city"] == "Paris")
    assert (paris["n"], paris["n_contacted"]) == (4, 1)
    deps = {row["code"]: row["n"] for row in data["departements"]}
    assert deps == {"75": 4, "69": 1, "2A": 1}
    assert len(data["timeline"]) == 12  # the chart says "twelve months"
    this_month = data["timeline"][-1]
    assert (this_month["reported"], this_month["contacted"], this_month["resolved"]) == (6, 1, 1)
    page = response.content.decode()
    assert "<svg" in page and "<script" not in page.split("<main", 1)[1]


def test_avoided_energy_and_co2_count_resolved_shops_only(client):
    ShopFactory(status="resolved")
    ShopFactory(status="reported")
    data = client.get(reverse("lightsoff:stats")).context["stats"]
    assert data["avoided_kwh"] == selectors.estimate_per_shop()["kwh"]
    assert data["avoided_co2_kg"] == selectors.estimate_per_shop()["co2_kg"]


def test_departement_codes():
    assert selectors.departement("75011") == "75"
    assert selectors.departement("97411") == "974"
    assert selectors.departement("20200") == "2B"
    assert selectors.departement("abc") == ""


def _body(response):
    return b"".join(response.streaming_content).decode()


def test_the_shops_csv_states_its_licence_and_hides_hidden_shops(client):
    ShopFactory(name="Visible")
    ShopFactory(name="Caché", is_hidden=True)
    ShopFactory(name="=HYPERLINK(1)")
    response = client.get(reverse("lightsoff:export_shops_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "odbl" in response["Link"]
    rows = list(csv.reader(io.StringIO(_body(response))))
    assert rows[0][:3] == ["id", "name", "address"]
    names = [row[1] for row in rows[1:]]
    assert "Visible" in names and "Caché" not in names
    assert "'=HYPERLINK(1)" in names  # no formula injection


def test_the_sightings_exports_are_anonymous(client):
    reporter = UserFactory()
    SightingFactory(reporter=reporter, ip_hash="abc123")
    csv_body = _body(client.get(reverse("lightsoff:export_sightings_csv")))
    assert reporter.email not in csv_body and "abc123" not in csv_body
    assert csv_body.splitlines()[0] == "id,shop_id,seen_at,lit,latitude,longitude"
    data = json.loads(_body(client.get(reverse("lightsoff:export_sightings_geojson"))))
    assert data["license"].startswith("Open Database License")
    [feature] = data["features"]
    assert set(feature["properties"]) == {"id", "shop_id", "seen_at", "lit"}


def test_the_shops_geojson_is_rfc7946(client):
    ShopFactory(latitude="48.853500", longitude="2.372000")
    data = json.loads(_body(client.get(reverse("lightsoff:export_shops_geojson"))))
    assert data["type"] == "FeatureCollection"
    assert data["features"][0]["geometry"]["coordinates"] == [2.372, 48.8535]


def test_the_figures_take_the_plural_their_count_needs(client):
    ShopFactory(status="contacted", contacts_count=1)
    page = client.get(reverse("lightsoff:stats")).content.decode()
    assert "<strong>1</strong> commerce signalé</li>" in page
    assert "<strong>1</strong> contact enregistré</li>" in page
    assert "<strong>1</strong> commerce contacté</li>" in page
    assert "<strong>0</strong> commerce résolu</li>" in page  # French: 0 is singular
    ShopFactory.create_batch(2, status="resolved", contacts_count=1)
    page = client.get(reverse("lightsoff:stats")).content.decode()
    assert "<strong>3</strong> commerces signalés</li>" in page
    assert "<strong>3</strong> contacts enregistrés</li>" in page
    assert "<strong>2</strong> commerces résolus</li>" in page
