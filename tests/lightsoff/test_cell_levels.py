"""The map's other grids (ShopCellLevel) stay equal to a count from scratch, and the
clusters they give are the ones clustering the shops themselves gives, at every zoom."""

import threading

import pytest
from django.db import connection

from lightsoff import cells, geo, selectors, services
from lightsoff.models import Shop, ShopCell, ShopCellLevel
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
FRANCE = geo.BBox(-5.5, 41.0, 10.0, 51.5)


def snapshot():
    return sorted(ShopCellLevel.objects.values_list("zoom", "cx", "cy", "status", "count"))


def assert_fresh():
    current = snapshot()
    cells.rebuild()
    assert current == snapshot()


def rounded(clusters):
    return sorted(
        (round(lat, 6), round(lng, 6), n, tuple(sorted(s.items()))) for lat, lng, n, s in clusters
    )


def test_levels_follow_reports_contacts_moves_and_merges():
    a = services.report_sighting(shop_name="A", lat=48.8566, lng=2.3522).shop
    b = services.report_sighting(shop_name="B", lat=48.8570, lng=2.3530).shop
    services.report_sighting(shop_name="C", lat=43.2965, lng=5.3698)
    counts = {
        zoom: sum(ShopCellLevel.objects.filter(zoom=zoom).values_list("count", flat=True))
        for zoom in (*cells.COARSE_ZOOMS, cells.STREET_ZOOM)
    }
    assert counts == {8: 3, 11: 3, 16: 3}
    assert_fresh()
    services.log_contact(shop=a, channel="phone")
    assert ShopCellLevel.objects.filter(zoom=8, status="contacted").get().count == 1
    assert_fresh()
    b = Shop.objects.get(pk=b.pk)
    b.latitude, b.longitude = "45.764000", "4.835700"  # moved to Lyon by a moderator
    b.save()
    assert_fresh()
    services.merge_shops(target=a, duplicates=[a, b])
    assert_fresh()
    a.delete()
    assert snapshot() == [
        (zoom, *cells.cell_of(43.2965, 5.3698, geo.cluster_cell_deg(zoom)), "reported", 1)
        for zoom in sorted((*cells.COARSE_ZOOMS, cells.STREET_ZOOM))
    ]


@pytest.mark.parametrize("zoom", range(3, cells.STREET_ZOOM + 1))
def test_clusters_from_the_grids_are_those_of_the_shops(zoom):
    # Around Paris, in and across cell borders of every level, plus Marseille and Brest.
    for i in range(40):
        ShopFactory(
            latitude=f"{48.80 + i * 0.0037:.6f}",
            longitude=f"{2.25 + (i * 7 % 40) * 0.0041:.6f}",
            status=("reported", "contacted", "resolved", "relapsed")[i % 4],
        )
    ShopFactory(latitude="43.296500", longitude="5.369800", status="resolved")
    ShopFactory(latitude="48.390400", longitude="-4.486100")
    ShopFactory(latitude="48.860000", longitude="2.350000", is_hidden=True)

    from_grids = cells.clusters(FRANCE, zoom)
    from_shops = selectors._clusters(Shop.objects.reported().in_bbox(FRANCE), zoom)
    assert rounded(from_grids) == rounded(from_shops)
    assert sum(n for _lat, _lng, n, _s in from_grids) == 42


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_in_one_region_leave_every_level_right():
    """Twenty reports at once in twenty fine cells of the same zoom-8 cell: each refresh
    recomputes the shared parents, so without the parent's lock the last one to commit
    would miss the others' shops."""
    barrier = threading.Barrier(20)
    errors = []

    def reporter(i):
        try:
            lat, lng = geo.offset(48.70, 2.30, north_m=(i % 5) * 700, east_m=(i // 5) * 900)
            barrier.wait(timeout=30)
            services.report_sighting(shop_name=f"Boutique {i}", lat=lat, lng=lng)
        except Exception as error:  # noqa: BLE001 (collected and asserted below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reporter, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # One zoom-8 cell (~39 km × 26 km here), twenty fine ones.
    assert ShopCellLevel.objects.filter(zoom=8).get().count == 20
    assert ShopCell.objects.count() == 20
    assert_fresh()
