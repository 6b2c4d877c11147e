"""RGPD: a volunteer's LightsOff data in their export, and erased with their account."""

import pytest

from lightsoff.models import ContactAction, Sighting
from tests.factories import ContactActionFactory, SightingFactory, UserFactory
from volunteers.privacy import erase_everywhere, exported_sections

pytestmark = pytest.mark.django_db


def test_the_export_holds_my_sightings_and_contacts_only():
    me = UserFactory()
    SightingFactory(reporter=me, shop__name="Mon commerce")
    SightingFactory(reporter=UserFactory(), shop__name="Autre")
    ContactActionFactory(actor=me)
    data = exported_sections(me)["lightsoff"]
    assert [s["shop"] for s in data["sightings"]] == ["Mon commerce"]
    assert len(data["contacts"]) == 1


def test_erasure_keeps_the_sightings_as_anonymous_data():
    me = UserFactory()
    SightingFactory(reporter=me)
    ContactActionFactory(actor=me)
    erase_everywhere(me)
    assert Sighting.objects.get().reporter is None
    assert ContactAction.objects.get().actor is None
