"""Coordinators' actions on call-ups leave an audit row (who, what, when, before → after),
shown on the call-up's admin page."""

import pytest
from django.test import TestCase
from django.urls import reverse

from missions.models import Mobilization
from tests.factories import CoordinatorFactory
from volunteers.models import AuditEntry

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db


def admin_url(name, mobilization):
    return reverse(f"admin:missions_mobilization_{name}", args=[mobilization.pk])


@pytest.fixture
def coordinator(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    user = CoordinatorFactory()
    client.force_login(user)
    return user


def actions(mobilization):
    return [
        (e.action, e.acting_user_id, e.changes)
        for e in AuditEntry.objects.filter(object_id=mobilization.pk).order_by("pk")
    ]


def test_launch_close_and_extend_each_write_who_did_what(client, coordinator):
    reachable_volunteer()
    mobilization = draft_callup(headcount=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(admin_url("launch", mobilization))
    client.post(admin_url("close", mobilization))
    client.post(
        admin_url("extend", mobilization),
        {"response_deadline": "2030-01-01T12:00", "headcount": "3"},
    )

    launch, close, extend = actions(mobilization)
    assert launch == ("missions.launch", coordinator.pk, {"status": ["draft", "launched"]})
    assert close == ("missions.close", coordinator.pk, {"status": ["launched", "closed"]})
    assert extend[:2] == ("missions.extend", coordinator.pk)
    assert extend[2]["headcount"] == [1, 3]
    assert extend[2]["status"] == ["closed", "launched"]
    assert extend[2]["response_deadline"][1].startswith("2030-01-01")


def test_closing_twice_records_one_close(client, coordinator):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    client.post(admin_url("close", mobilization))
    client.post(admin_url("close", mobilization))
    assert [a for a, _by, _c in actions(mobilization)] == ["missions.close"]


def test_a_refused_extension_records_nothing(client, coordinator):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    client.post(admin_url("extend", mobilization), {"response_deadline": "soon", "headcount": "0"})
    assert actions(mobilization) == []


def test_the_change_page_shows_the_history_of_actions(client, coordinator):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    client.post(admin_url("close", mobilization))
    page = client.get(admin_url("change", mobilization)).text
    assert "Historique des actions" in page
    assert "Mobilisation clôturée" in page
    assert coordinator.email in page
    assert "status: launched → closed" in page
