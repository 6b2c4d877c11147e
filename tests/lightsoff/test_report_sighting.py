"""services.report_sighting: one shop per real shop, sightings and status."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from lightsoff import geo, services
from lightsoff.models import Shop, Sighting
from tests.factories import ContactActionFactory, ShopFactory

pytestmark = pytest.mark.django_db

PARIS = (48.8566, 2.3522)


def report(name="Boulangerie du Marché", lat=PARIS[0], lng=PARIS[1], **kwargs):
    return services.report_sighting(shop_name=name, lat=lat, lng=lng, **kwargs)


def test_a_first_report_creates_a_reported_shop_with_one_sighting():
    result = report(ip="203.0.113.7")
    assert result.created_shop
    shop = Shop.objects.get()
    assert shop.status == Shop.Status.REPORTED
    assert shop.sightings_count == 1
    assert shop.last_seen_lit_at is not None
    assert result.sighting.ip_hash and "203.0.113.7" not in result.sighting.ip_hash


def test_a_report_20_m_away_with_the_same_name_is_a_sighting_of_the_same_shop():
    report()
    lat, lng = geo.offset(*PARIS, north_m=12, east_m=16)
    result = report(name="  BOULANGERIE du marche ", lat=lat, lng=lng)
    assert not result.created_shop
    assert Shop.objects.count() == 1
    assert Shop.objects.get().sightings_count == 2


def test_a_report_further_than_30_m_is_another_shop():
    report()
    lat, lng = geo.offset(*PARIS, north_m=45)
    assert report(lat=lat, lng=lng).created_shop
    assert Shop.objects.count() == 2


def test_a_different_name_next_door_is_another_shop():
    report()
    assert report(name="Pharmacie de la Place").created_shop


def test_the_same_osm_id_is_the_same_shop_whatever_the_name():
    ShopFactory(name="Chez Paul", osm_id="node/42", latitude=PARIS[0], longitude=PARIS[1])
    result = report(name="Paul boulangerie", osm_id="node/42")
    assert not result.created_shop


def test_a_known_shop_picked_by_the_reporter_gets_the_sighting():
    shop = ShopFactory(latitude=PARIS[0], longitude=PARIS[1])
    lat, lng = geo.offset(*PARIS, north_m=40)
    result = services.report_sighting(shop=shop, lat=lat, lng=lng)
    assert result.shop == shop and not result.created_shop


def test_a_known_shop_cannot_be_reported_from_far_away():
    shop = ShopFactory(latitude=PARIS[0], longitude=PARIS[1])
    with pytest.raises(ValidationError):
        services.report_sighting(shop=shop, lat=45.76, lng=4.83)


@pytest.mark.parametrize(("lat", "lng"), [(91, 2), (48, 181), (float("nan"), 2), ("x", 2)])
def test_coordinates_out_of_range_are_refused(lat, lng):
    with pytest.raises(ValidationError):
        report(lat=lat, lng=lng)
    assert not Shop.objects.exists()


def test_two_dark_checks_after_a_contact_resolve_the_shop_and_a_lit_one_relapses_it():
    shop = report().shop
    services.log_contact(shop=shop, channel="phone")
    shop.refresh_from_db()
    assert shop.status == Shop.Status.CONTACTED
    # 2 h (local) in each of the next nights: the windows must be dark then.
    later = timezone.localtime().replace(hour=2, minute=0) + datetime.timedelta(days=1)
    services.report_sighting(
        shop=shop, lat=shop.latitude, lng=shop.longitude, lit=False, seen_at=later
    )
    shop.refresh_from_db()
    assert shop.status == Shop.Status.CONTACTED  # one dark check is not enough
    services.report_sighting(
        shop=shop,
        lat=shop.latitude,
        lng=shop.longitude,
        lit=False,
        seen_at=later + datetime.timedelta(days=1),
    )
    shop.refresh_from_db()
    assert shop.status == Shop.Status.RESOLVED and shop.resolved_at
    services.report_sighting(
        shop=shop, lat=shop.latitude, lng=shop.longitude, seen_at=later + datetime.timedelta(days=2)
    )
    shop.refresh_from_db()
    assert shop.status == Shop.Status.RELAPSED


def test_i_did_it_bumps_the_count_and_marks_the_shop_contacted():
    shop = ShopFactory()
    ContactActionFactory(shop=shop)  # a row made elsewhere does not change the counter
    action = services.log_contact(shop=shop, channel="review", ip="198.51.100.1")
    shop.refresh_from_db()
    assert shop.contacts_count == 1
    assert shop.status == Shop.Status.CONTACTED and shop.contacted_at
    assert action.ip_hash == services.hash_ip("198.51.100.1")


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValidationError):
        services.log_contact(shop=ShopFactory(), channel="pigeon")


def test_do_it_for_me_twice_gives_one_task():
    shop = ShopFactory()
    first, created = services.request_volunteer_contact(shop=shop)
    second, created_again = services.request_volunteer_contact(shop=shop)
    assert created and not created_again and first == second


def test_ips_are_stored_as_keyed_hashes():
    assert services.hash_ip("203.0.113.7") == services.hash_ip("203.0.113.7")
    assert services.hash_ip("203.0.113.7") != services.hash_ip("203.0.113.8")
    assert len(services.hash_ip("203.0.113.7")) == 64


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_reports_of_one_shop_give_one_shop_and_fifty_sightings():
    barrier = threading.Barrier(50)
    errors = []

    def reporter(i):
        try:
            lat, lng = geo.offset(*PARIS, north_m=(i % 5) * 4, east_m=(i % 7) * 3)
            barrier.wait(timeout=30)
            report(name="Opticien Lumière", lat=lat, lng=lng, ip=f"203.0.113.{i}")
        except Exception as error:  # noqa: BLE001 (collected and asserted below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reporter, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Shop.objects.count() == 1
    assert Sighting.objects.count() == 50
    assert Shop.objects.get().sightings_count == 50
