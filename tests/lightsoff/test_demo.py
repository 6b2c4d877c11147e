"""The LightsOff demo (`seed_demo`) holds the rows its figures stand for: the stats page,
the exports and the kit agree with each other."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from lightsoff import selectors
from lightsoff.models import ContactAction, Shop
from lightsoff.services import moderation
from tests.factories import ContactActionFactory, ShopFactory

pytestmark = pytest.mark.django_db


def _seed(shops=120):
    call_command("seed_demo", volunteers=1, projects=2, shops=shops, stdout=io.StringIO())


def _figure(page, testid):
    """The number shown in the stats page's figure marked `testid` (French spacing)."""
    item = re.search(rf'data-testid="{testid}">(.*?)</li>', page, re.S).group(1)
    return int(re.sub(r"\D", "", re.search(r"<strong>(.*?)</strong>", item).group(1)))


def _export_contacts(client):
    response = client.get(reverse("lightsoff:export_shops_csv"))
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    return sum(int(row["contacts_count"]) for row in rows)


def test_the_stats_page_counts_the_contacts_the_export_counts(client):
    _seed()
    contacted = Shop.objects.exclude(status=Shop.Status.REPORTED).count()
    assert contacted > 10, "the demo has contacted shops"

    page = client.get(reverse("lightsoff:stats")).content.decode()

    shown = _figure(page, "contacts")
    assert shown == _export_contacts(client) == ContactAction.objects.count() == contacted


def test_every_contacted_or_resolved_demo_shop_has_its_dates(client):
    _seed()
    for shop in Shop.objects.exclude(status=Shop.Status.REPORTED):
        assert shop.contacted_at is not None, shop
        assert shop.contacted_at == shop.contacts.get().done_at
        assert shop.created_at < shop.contacted_at
    for shop in Shop.objects.filter(status__in=[Shop.Status.RESOLVED, Shop.Status.RELAPSED]):
        assert shop.contacted_at < shop.resolved_at, shop
    for shop in Shop.objects.filter(status=Shop.Status.REPORTED):
        assert (shop.contacted_at, shop.resolved_at, shop.contacts_count) == (None, None, 0)
    # The chart counts each stage in the month it happened: over the twelve months, every
    # demo shop once as reported, the contacted ones once as contacted.
    timeline = client.get(reverse("lightsoff:stats")).context["stats"]["timeline"]
    assert sum(row["reported"] for row in timeline) == Shop.objects.count()
    assert (
        sum(row["contacted"] for row in timeline)
        == Shop.objects.exclude(status=Shop.Status.REPORTED).count()
    )
    assert (
        sum(row["resolved"] for row in timeline)
        == Shop.objects.filter(resolved_at__isnull=False).count()
    )


def test_the_moderators_recount_finds_nothing_to_change_in_the_demo():
    """recount() recomputes counts and status from the rows, as after moderation: on the
    demo it must find what seed_demo stored."""
    _seed()
    fields = ["status", "sightings_count", "contacts_count", "last_seen_lit_at", "resolved_at"]
    before = {shop.pk: [getattr(shop, f) for f in fields] for shop in Shop.objects.all()}
    assert {status for status, *_rest in before.values()} == set(Shop.Status.values)

    moderation.recount_shops(list(before))

    after = {shop.pk: [getattr(shop, f) for f in fields] for shop in Shop.objects.all()}
    assert after == before


def test_contacts_on_hidden_or_unreported_shops_count_nowhere(client):
    """The page and the export count the same shops: not a hidden one, not an imported
    shop nobody saw lit."""
    ShopFactory(status="contacted", contacts_count=2)
    ContactActionFactory(shop=ShopFactory(is_hidden=True, contacts_count=1))
    ContactActionFactory(shop=ShopFactory(sightings_count=0, contacts_count=1))

    assert selectors.stats()["contacts"] == 2
    assert _export_contacts(client) == 2
