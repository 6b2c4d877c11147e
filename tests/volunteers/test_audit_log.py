"""The audit log itself: coordinators and moderators read it, nobody edits it."""

import pytest
from django.urls import reverse

from tests.factories import CoordinatorFactory, ModeratorFactory, ShopFactory, UserFactory
from volunteers import audit
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    coordinator = CoordinatorFactory()
    return audit.record(
        by=coordinator,
        action="lightsoff.hide",
        target=ShopFactory(),
        changes={"is_hidden": [False, True]},
    )


@pytest.mark.parametrize("factory", [CoordinatorFactory, ModeratorFactory])
def test_staff_groups_read_the_log_but_cannot_change_or_delete_it(client, settings, entry, factory):
    settings.REQUIRE_STAFF_MFA = False
    client.force_login(factory())
    listing = client.get(reverse("admin:volunteers_auditentry_changelist"))
    assert listing.status_code == 200 and "Masqué au public" in listing.text
    change = reverse("admin:volunteers_auditentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"action": "x", "object_repr": "forged"})
    assert client.get(reverse("admin:volunteers_auditentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:volunteers_auditentry_delete", args=[entry.pk])).status_code
        == 403
    )
    entry.refresh_from_db()
    assert (entry.action, entry.object_repr) != ("x", "forged")
    assert AuditEntry.objects.count() == 1


def test_volunteers_do_not_reach_the_log(client, entry):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:volunteers_auditentry_changelist"))
    assert response.status_code == 302


def test_an_entry_keeps_its_object_name_and_acts_of_the_platform_have_no_user():
    shop = ShopFactory(name="Boulangerie du Port")
    row = audit.record(by=None, action="lightsoff.hide", target=shop)
    shop.delete()
    row.refresh_from_db()
    assert row.acting_user is None
    assert row.object_repr.startswith("Boulangerie du Port")
