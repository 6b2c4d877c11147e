"""The admin's home page: what needs a coordinator (or a moderator) now, each linked."""

import re

import pytest
from django.utils import timezone

from missions.models import Delivery, Mobilization
from tests.factories import (
    AlertFactory,
    ContactActionFactory,
    CoordinatorFactory,
    ModeratorFactory,
    ProjectFactory,
    SightingFactory,
)

from .conftest import draft_callup

pytestmark = pytest.mark.django_db


def blocks(page):
    """{block key: text of the block} of the dashboard."""
    found = re.findall(r'data-block="([\w.]+)">(.*?)</div>', page, flags=re.S)
    return {key: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip() for key, body in found}


@pytest.fixture
def work_waiting():
    running = draft_callup(
        title="Renfort maraudes", status=Mobilization.Status.LAUNCHED, headcount=3
    )
    Mobilization.objects.filter(pk=running.pk).update(current_wave=1)
    AlertFactory(mobilization=running, status="sent", response="accepted")
    AlertFactory(mobilization=running, status="sent", response="declined")
    AlertFactory(mobilization=running, status="failed", last_error="550")
    bounced = AlertFactory(mobilization=running, status="sent")
    Delivery.objects.create(alert=bounced, channel="email", status=Delivery.Status.BOUNCED)
    draft_callup(title="Brouillon")
    ProjectFactory(status="idea")
    ProjectFactory(status="idea")
    SightingFactory()
    ContactActionFactory(done_at=timezone.now())
    return running


def test_a_coordinator_sees_what_waits_with_links_to_act(
    client, work_waiting, django_assert_max_num_queries
):
    client.force_login(CoordinatorFactory())
    with django_assert_max_num_queries(20):
        page = client.get("/admin/").text
    shown = blocks(page)
    assert "Ce qui vous attend maintenant" in page
    assert "Renfort maraudes : 1/3 accepté" in shown["missions.running"]
    assert "4 alertés, 1 refus, vague 1" in shown["missions.running"]
    assert "1 brouillon de mobilisation à lancer" in shown["missions.running"]
    assert (
        "2 alertes de mobilisations en cours n’ont pas atteint leurs réservistes"
        in shown["missions.failures"]
    )
    assert "2 idées proposées attendent d’être qualifiées" in shown["projects.qualification"]
    assert "1 signalement reçu ces 7 derniers jours" in shown["lightsoff.moderation"]
    assert "1 prise de contact notée ces 7 derniers jours" in shown["lightsoff.moderation"]
    # Each line leads to where it is acted on, and the list of models stays below.
    assert f'href="/admin/missions/mobilization/{work_waiting.pk}/progress/"' in page
    assert 'href="/admin/projects/project/?status__exact=idea"' in page
    assert 'id="content-main"' in page and "app-missions" in page


def test_the_links_open_the_lists_they_count(client, work_waiting):
    client.force_login(CoordinatorFactory())
    page = client.get("/admin/").text
    for url in re.findall(r'<li[^>]*><a href="(/admin/[^"]+\?[^"]+)"', page):
        listing = client.get(url.replace("&amp;", "&"))
        assert listing.status_code == 200, url
    failures = client.get("/admin/missions/alert/?undelivered=running").text
    assert failures.count('class="field-mobilization') == 2  # the failed one, the bounced one


def test_a_moderator_sees_only_moderation(client, work_waiting):
    client.force_login(ModeratorFactory())
    page = client.get("/admin/").text
    assert list(blocks(page)) == ["lightsoff.moderation"]
    assert "Renfort maraudes" not in page and "idées proposées" not in page


def test_with_nothing_waiting_the_blocks_say_so(client):
    client.force_login(CoordinatorFactory())
    shown = blocks(client.get("/admin/").text)
    assert shown["missions.running"].endswith("Aucune mobilisation en cours.")
    assert shown["projects.qualification"].endswith("Aucune idée n’attend d’être qualifiée.")
