"""`manage.py import_osm_shops FILE`."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lightsoff.models import Shop
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def run(name):
    out = StringIO()
    call_command("import_osm_shops", str(DATA / name), stdout=out)
    return out.getvalue()


def test_a_geojson_extract_gives_named_shops_with_address_and_hours():
    assert "2 created" in run("shops.geojson")
    bakery = Shop.objects.get(osm_id="node/1001")
    assert bakery.name == "Boulangerie Martin"
    assert (bakery.address, bakery.postcode, bakery.city) == (
        "12 Rue de la Roquette",
        "75011",
        "Paris",
    )
    assert bakery.opening_hours == "Mo-Sa 07:00-20:00"
    assert bakery.category == "bakery" and bakery.phone == "+33 1 23 45 67 89"
    books = Shop.objects.get(osm_id="way/2002")
    assert float(books.latitude) == pytest.approx(48.85008, abs=1e-4)  # the outline's centre
    assert not Shop.objects.filter(osm_id="node/3003").exists()  # no name


def test_importing_twice_changes_nothing():
    run("shops.geojson")
    assert "0 created, 0 updated, 2 unchanged" in run("shops.geojson")
    assert Shop.objects.count() == 2


def test_an_osm_xml_extract_updates_shops_by_osm_id_and_keeps_their_status():
    run("shops.geojson")
    Shop.objects.filter(osm_id="node/1001").update(status="contacted", sightings_count=3)
    assert "1 created, 1 updated" in run("shops.osm")
    bakery = Shop.objects.get(osm_id="node/1001")
    assert bakery.opening_hours == "Mo-Sa 07:00-21:00"
    assert (bakery.status, bakery.sightings_count) == ("contacted", 3)
    assert Shop.objects.get(osm_id="way/4004").name == "Pharmacie du Parc & Fils"


def test_imported_shops_are_proposed_but_not_on_the_map(client):
    run("shops.geojson")
    ShopFactory()
    nearby = client.get("/lightsoff/api/nearby.json", {"lat": 48.8536, "lng": 2.3721}).json()
    assert "Boulangerie Martin" in [s["name"] for s in nearby["shops"]]
    features = client.get(
        "/lightsoff/api/shops.geojson", {"bbox": "2.3,48.8,2.4,48.9", "zoom": 15}
    ).json()["features"]
    assert "Boulangerie Martin" not in [f["properties"]["name"] for f in features]


def test_a_broken_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_osm_shops", str(broken))


def test_streets_and_bus_stops_of_a_real_extract_are_not_shops():
    assert "2 created" in run("city.osm")
    assert sorted(Shop.objects.values_list("name", flat=True)) == [
        "Café des Phares",
        "Tabac de la Bastille",
    ]


def test_a_tag_longer_than_its_column_is_cut_not_a_failed_import():
    run("city.osm")
    cafe = Shop.objects.get(osm_id="node/7007")
    assert (
        cafe.postcode
        == "75004 PARIS CEDEX 04 — BP 1234"[: Shop._meta.get_field("postcode").max_length]
    )


def test_a_node_without_coordinates_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.osm"
    bad.write_text('<osm><node id="1"><tag k="name" v="X"/><tag k="shop" v="y"/></node></osm>')
    with pytest.raises(CommandError, match="lat/lon"):
        call_command("import_osm_shops", str(bad), stdout=StringIO())
