"""Moderation in the admin: hide reports, merge duplicates."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse

from lightsoff.models import ContactAction, Shop, Sighting
from tests.factories import (
    ContactActionFactory,
    ModeratorFactory,
    ShopFactory,
    SightingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SHOPS = reverse("admin:lightsoff_shop_changelist")
SIGHTINGS = reverse("admin:lightsoff_sighting_changelist")


@pytest.fixture
def moderator(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    user = ModeratorFactory()
    client.force_login(user)
    return user


def test_moderators_may_change_shops_and_sightings_and_see_rounds():
    perms = set(Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True))
    assert {
        "change_shop",
        "change_sighting",
        "change_contactaction",
        "view_round",
        "change_volunteercontacttask",
    } <= perms


def test_a_volunteer_does_not_reach_the_moderation(client):
    client.force_login(UserFactory())
    assert client.get(SHOPS).status_code == 302


def test_the_shop_list_loads_in_a_bounded_number_of_queries(
    client, moderator, django_assert_max_num_queries
):
    ShopFactory.create_batch(20)
    with django_assert_max_num_queries(15):
        assert client.get(SHOPS).status_code == 200


def test_merging_shows_a_confirmation_page_first(client, moderator):
    a, b = ShopFactory(sightings_count=3), ShopFactory()
    response = client.post(
        SHOPS, {"action": "merge_duplicates", ACTION_CHECKBOX_NAME: [a.pk, b.pk]}
    )
    assert response.status_code == 200
    assert "Fusionner des commerces en double" in response.content.decode()
    assert Shop.objects.filter(is_hidden=False).count() == 2


def test_confirming_a_merge_moves_sightings_and_contacts_and_hides_the_duplicate(client, moderator):
    keep, duplicate = ShopFactory(name="Keep"), ShopFactory(name="Dup", phone="0102030405")
    SightingFactory.create_batch(2, shop=keep)
    SightingFactory(shop=duplicate)
    ContactActionFactory(shop=duplicate)
    client.post(
        SHOPS,
        {
            "action": "merge_duplicates",
            ACTION_CHECKBOX_NAME: [keep.pk, duplicate.pk],
            "target": keep.pk,
            "confirm": "yes",
        },
    )
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert (keep.sightings_count, keep.contacts_count) == (3, 1)
    assert keep.phone == "0102030405" and keep.status == Shop.Status.CONTACTED
    assert duplicate.is_hidden and duplicate.merged_into == keep
    assert Sighting.objects.filter(shop=keep).count() == 3
    assert ContactAction.objects.filter(shop=keep).count() == 1


def test_hiding_an_abusive_sighting_recounts_its_shop(client, moderator):
    shop = ShopFactory()
    keep, abusive = SightingFactory(shop=shop), SightingFactory(shop=shop)
    client.post(SIGHTINGS, {"action": "hide", ACTION_CHECKBOX_NAME: [abusive.pk]})
    abusive.refresh_from_db()
    shop.refresh_from_db()
    assert abusive.is_hidden and not keep.is_hidden
    assert shop.sightings_count == 1


def test_the_sighting_form_never_shows_the_ip_hash(client, moderator):
    sighting = SightingFactory(ip_hash="deadbeef" * 8)
    page = client.get(
        reverse("admin:lightsoff_sighting_change", args=[sighting.pk])
    ).content.decode()
    assert "deadbeef" not in page


def test_hiding_a_sighting_on_its_change_page_recounts_the_shop(client, moderator):
    shop = ShopFactory()
    first, second = SightingFactory.create_batch(2, shop=shop)
    from lightsoff import services

    services.recount(shop)
    assert shop.sightings_count == 2
    url = reverse("admin:lightsoff_sighting_change", args=[second.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "shop": shop.pk,
        "lit": "on",
        "seen_at_0": second.seen_at.astimezone().strftime("%d/%m/%Y"),
        "seen_at_1": second.seen_at.astimezone().strftime("%H:%M:%S"),
        "is_hidden": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    shop.refresh_from_db()
    assert shop.sightings_count == 1


def test_a_moderator_hides_an_abusive_i_did_it_and_the_shop_is_recounted(client, moderator):
    from lightsoff import services

    shop = ShopFactory()
    services.log_contact(shop=shop, channel="phone", ip="203.0.113.9")
    shop.refresh_from_db()
    assert (shop.contacts_count, shop.status) == (1, Shop.Status.CONTACTED)
    action = ContactAction.objects.get(shop=shop)
    response = client.post(
        reverse("admin:lightsoff_contactaction_changelist"),
        {"action": "hide", ACTION_CHECKBOX_NAME: [action.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shop.refresh_from_db()
    assert (shop.contacts_count, shop.status) == (0, Shop.Status.REPORTED)
    from lightsoff.selectors import shop_history

    assert [e for e in shop_history(shop) if e["kind"] == "contact"] == []


def test_hiding_says_how_many_in_the_right_plural(client, moderator):
    one, two, three = ShopFactory.create_batch(3)
    response = client.post(SHOPS, {"action": "hide", ACTION_CHECKBOX_NAME: [one.pk]}, follow=True)
    assert "1 commerce masqué." in response.content.decode()
    response = client.post(
        SHOPS, {"action": "hide", ACTION_CHECKBOX_NAME: [two.pk, three.pk]}, follow=True
    )
    assert "2 commerces masqués." in response.content.decode()
