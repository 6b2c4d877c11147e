"""Moderators' actions on LightsOff (merge, hide, show) leave an audit row, shown on the
shop's admin page."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from lightsoff.models import Shop
from tests.factories import ContactActionFactory, ModeratorFactory, ShopFactory, SightingFactory
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db
SHOPS = reverse("admin:lightsoff_shop_changelist")


@pytest.fixture
def moderator(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    user = ModeratorFactory()
    client.force_login(user)
    return user


def rows(obj):
    return [
        (e.action, e.acting_user_id, e.changes)
        for e in AuditEntry.objects.filter(
            object_id=obj.pk, content_type__model=obj._meta.model_name
        ).order_by("pk")
    ]


def test_merging_records_it_on_both_shops(client, moderator):
    keep, duplicate = ShopFactory(name="Chez Paul"), ShopFactory(name="Chez Paul bis")
    client.post(
        SHOPS,
        {
            "action": "merge_duplicates",
            ACTION_CHECKBOX_NAME: [keep.pk, duplicate.pk],
            "confirm": "yes",
            "target": keep.pk,
        },
    )
    assert rows(duplicate) == [
        ("lightsoff.merge", moderator.pk, {"merged_into": [None, str(keep)]})
    ]
    ((action, by, changes),) = rows(keep)
    assert (action, by) == ("lightsoff.merge", moderator.pk)
    assert f"#{duplicate.pk}" in changes["merged"][1]


def test_hiding_and_showing_shops_records_only_real_changes(client, moderator):
    shop, hidden = ShopFactory(), ShopFactory(is_hidden=True)
    client.post(SHOPS, {"action": "hide", ACTION_CHECKBOX_NAME: [shop.pk, hidden.pk]})
    assert Shop.objects.filter(is_hidden=True).count() == 2
    assert rows(shop) == [("lightsoff.hide", moderator.pk, {"is_hidden": [False, True]})]
    assert rows(hidden) == []
    client.post(SHOPS, {"action": "unhide", ACTION_CHECKBOX_NAME: [shop.pk]})
    assert rows(shop)[-1] == ("lightsoff.show", moderator.pk, {"is_hidden": [True, False]})

    page = client.get(reverse("admin:lightsoff_shop_change", args=[shop.pk])).text
    assert "Masqué au public" in page and "Affiché de nouveau" in page


def test_hiding_sightings_and_contacts_records_each(client, moderator):
    sighting, contact = SightingFactory(), ContactActionFactory()
    client.post(
        reverse("admin:lightsoff_sighting_changelist"),
        {"action": "hide", ACTION_CHECKBOX_NAME: [sighting.pk]},
    )
    client.post(
        reverse("admin:lightsoff_contactaction_changelist"),
        {"action": "hide", ACTION_CHECKBOX_NAME: [contact.pk]},
    )
    assert rows(sighting) == [("lightsoff.hide", moderator.pk, {"is_hidden": [False, True]})]
    assert rows(contact) == [("lightsoff.hide", moderator.pk, {"is_hidden": [False, True]})]
