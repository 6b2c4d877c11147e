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


# --- .osm.pbf extracts (pyosmium) ----------


def write_pbf(path, *, bakery_hours="Mo-Sa 07:00-20:00; PH off", extra_nodes=()):
    """A small sorted extract: shops as nodes and as an outline, and what is not a shop."""
    import osmium
    from osmium.osm.mutable import Node, Way

    with osmium.SimpleWriter(str(path), overwrite=True) as writer:
        writer.add_node(
            Node(
                id=1001,
                location=(2.3721, 48.8536),
                tags={
                    "name": "Boulangerie Martin",
                    "shop": "bakery",
                    "opening_hours": bakery_hours,
                    "contact:email": "bonjour@boulangerie-martin.fr",
                    "phone": "+33 1 23 45 67 89",
                    "addr:housenumber": "12",
                    "addr:street": "Rue de la Roquette",
                    "addr:postcode": "75011",
                    "addr:city": "Paris",
                },
            )
        )
        writer.add_node(
            Node(
                id=1002,
                location=(2.3500, 48.8600),
                tags={
                    "name": "Le Zinc",
                    "amenity": "bar",
                    "email": "zinc@example.fr",
                    "contact:phone": "+33 6 12 34 56 78",
                },
            )
        )
        writer.add_node(Node(id=1003, location=(2.35, 48.86), tags={"shop": "kiosk"}))  # no name
        writer.add_node(
            Node(id=1004, location=(2.36, 48.86), tags={"name": "Parking", "amenity": "parking"})
        )
        # The outline of a shop: a square around (48.8500, 2.3400).
        for node_id, (lon, lat) in zip(
            (2001, 2002, 2003, 2004),
            ((2.3398, 48.8498), (2.3402, 48.8498), (2.3402, 48.8502), (2.3398, 48.8502)),
            strict=True,
        ):
            writer.add_node(Node(id=node_id, location=(lon, lat)))
        for node in extra_nodes:
            writer.add_node(node)
        writer.add_way(
            Way(
                id=4004,
                nodes=[2001, 2002, 2003, 2004, 2001],
                tags={"name": "Librairie des Arts", "shop": "books", "opening_hours": "24/7"},
            )
        )
        street = {"name": "Rue X", "highway": "service"}
        writer.add_way(Way(id=5005, nodes=[2001, 2002], tags=street))


def run_file(path, *args):
    out = StringIO()
    call_command("import_osm_shops", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_pbf_extract_gives_shops_from_nodes_and_outlines_with_hours_and_contacts(tmp_path):
    extract = tmp_path / "paris.osm.pbf"
    write_pbf(extract)
    assert "3 created, 0 updated" in run_file(extract)
    assert sorted(Shop.objects.values_list("osm_id", "name")) == [
        ("node/1001", "Boulangerie Martin"),
        ("node/1002", "Le Zinc"),
        ("way/4004", "Librairie des Arts"),
    ]
    bakery = Shop.objects.get(osm_id="node/1001")
    assert bakery.opening_hours == "Mo-Sa 07:00-20:00; PH off"
    assert (bakery.email, bakery.phone) == ("bonjour@boulangerie-martin.fr", "+33 1 23 45 67 89")
    assert (bakery.address, bakery.postcode, bakery.city) == (
        "12 Rue de la Roquette",
        "75011",
        "Paris",
    )
    assert (float(bakery.latitude), float(bakery.longitude)) == pytest.approx((48.8536, 2.3721))
    bar = Shop.objects.get(osm_id="node/1002")
    assert (bar.email, bar.phone, bar.category) == ("zinc@example.fr", "+33 6 12 34 56 78", "bar")
    books = Shop.objects.get(osm_id="way/4004")
    assert (float(books.latitude), float(books.longitude)) == pytest.approx(
        (48.8500, 2.3400), abs=1e-6
    )  # the outline's centre, its closing node counted once
    assert books.opening_hours == "24/7"


def test_importing_a_pbf_twice_changes_nothing_and_an_update_keeps_the_status(tmp_path):
    extract = tmp_path / "paris.osm.pbf"
    write_pbf(extract)
    run_file(extract)
    before = list(Shop.objects.order_by("osm_id").values())
    assert "0 created, 0 updated, 3 unchanged" in run_file(extract)
    assert list(Shop.objects.order_by("osm_id").values()) == before

    Shop.objects.filter(osm_id="node/1001").update(status="contacted", sightings_count=3)
    write_pbf(extract, bakery_hours="Mo-Sa 07:00-21:00; PH off")
    assert "0 created, 1 updated, 2 unchanged" in run_file(extract)
    bakery = Shop.objects.get(osm_id="node/1001")
    assert bakery.opening_hours == "Mo-Sa 07:00-21:00; PH off"
    assert (bakery.status, bakery.sightings_count) == ("contacted", 3)
    assert Shop.objects.count() == 3


def test_a_pbf_is_imported_in_batches_with_progress(tmp_path):
    from osmium.osm.mutable import Node

    extract = tmp_path / "many.osm.pbf"
    shops = [
        Node(id=20_000 + i, location=(2.3 + i / 1000, 48.8), tags={"name": f"S{i}", "shop": "x"})
        for i in range(25)
    ]
    write_pbf(extract, extra_nodes=shops)
    out = run_file(extract, "--batch-size", "4", "--progress-every", "10")
    # Batches of 4: the lines come when 10, then 20, shops have been written.
    assert "12 shops read: 12 created" in out and "20 shops read: 20 created" in out
    assert "28 created, 0 updated, 0 unchanged" in out
    assert Shop.objects.count() == 28


def test_a_broken_pbf_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    with pytest.raises(CommandError, match="Cannot read"):
        run_file(broken)
    with pytest.raises(CommandError, match="Cannot read"):
        run_file(tmp_path / "missing.osm.pbf")
    assert not Shop.objects.exists()


def test_imported_shops_get_the_commune_whose_mairie_acts_on_them():
    call_command("load_communes", "--skip-shops", stdout=StringIO())  # the shipped extract
    run("shops.geojson")
    bakery = Shop.objects.get(osm_id="node/1001")  # 75011 Paris
    assert bakery.commune_id == "75056"
    assert bakery.commune.name == "Paris"
