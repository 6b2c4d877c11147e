"""The map's pre-aggregated cells stay equal to a count from scratch."""

import pytest

from lightsoff import cells, services
from lightsoff.models import Shop, ShopCell
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(ShopCell.objects.values_list("cx", "cy", "status", "count"))


def assert_fresh():
    current = snapshot()
    cells.rebuild()
    assert current == snapshot()


def test_cells_follow_reports_contacts_moves_hides_and_merges():
    a = services.report_sighting(shop_name="A", lat=48.8566, lng=2.3522).shop
    b = services.report_sighting(shop_name="B", lat=48.8570, lng=2.3530).shop
    ShopFactory(latitude="48.900000", longitude="2.300000", sightings_count=0)  # imported only
    assert sum(c.count for c in ShopCell.objects.all()) == 2
    assert_fresh()
    services.log_contact(shop=a, channel="phone")
    assert ShopCell.objects.filter(status="contacted").get().count == 1
    assert_fresh()
    b = Shop.objects.get(pk=b.pk)
    b.latitude, b.longitude = "45.764000", "4.835700"  # moved to Lyon by a moderator
    b.save()
    assert_fresh()
    services.merge_shops(target=a, duplicates=[a, b])
    assert sum(c.count for c in ShopCell.objects.all()) == 1
    assert_fresh()
    a.delete()
    assert not ShopCell.objects.exists()


def test_clusters_sum_cells_into_the_cells_of_the_zoom(client):
    for i in range(4):
        ShopFactory(latitude=f"48.85{i}000", longitude=f"2.35{i}000")
    ShopFactory(latitude="43.296500", longitude="5.369800", status="resolved")
    data = client.get(
        "/lightsoff/api/shops.geojson", {"bbox": "-5.5,41.0,10.0,51.5", "zoom": 5}
    ).json()
    counts = sorted(f["properties"]["count"] for f in data["features"])
    assert counts == [1, 4]
