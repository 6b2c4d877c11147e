"""The backlog on a phone (390×844): the projects come first, the filters are folded."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories import NeedFactory, ProfileSkillFactory, ProjectFactory, UserFactory, skill

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _log_in_as(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.session.session_key,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def backlog():
    for title in ("Carte des fontaines", "Alerte canicule", "Annuaire des aidants"):
        NeedFactory(project=ProjectFactory(title=title), skill=skill("design-ux"))
    return "/projects/"


def _first_card_top(page):
    card = page.locator(".project-card").first
    expect(card).to_be_visible()
    return card.bounding_box()["y"]


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "volunteer"])
def test_the_first_project_is_on_the_first_screen_of_a_phone(
    live_server, page, backlog, logged_in, console_errors
):
    page.set_viewport_size(PHONE)
    if logged_in:
        volunteer = UserFactory()
        ProfileSkillFactory(profile=volunteer.profile, skill=skill("design-ux"))
        _log_in_as(page, live_server, volunteer)
    page.goto(live_server.url + backlog)

    top = _first_card_top(page)
    assert top < PHONE["height"]
    # The filters are there, folded, one tap away.
    filters = page.get_by_test_id("filters-panel")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.get_by_label("Recherche", exact=True)).to_be_hidden()
    page.locator(".filters-panel > summary").click()
    expect(page.get_by_label("Recherche", exact=True)).to_be_visible()
    # The skills are checkboxes grouped by family, themselves folded.
    skills = page.locator("details.choice-groups")
    expect(skills.get_by_role("group", name="Design")).to_be_hidden()
    page.locator(".choice-groups > summary").click()
    expect(skills.get_by_role("group", name="Design")).to_be_visible()
    skills.get_by_label("Design UX", exact=True).check()
    page.get_by_role("button", name="Afficher les projets").click()

    # A filter is set: the panel comes open, says so, and the page is no wider than the phone.
    expect(page.get_by_test_id("filters-panel")).to_have_attribute("open", "")
    expect(page.locator(".filters-panel > summary")).to_contain_text("1 filtre actif")
    expect(page.get_by_label("Design UX", exact=True)).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert console_errors == []


def test_on_a_wide_screen_the_filters_are_open_beside_the_list(live_server, page, backlog):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + backlog)
    expect(page.get_by_test_id("filters-panel")).to_have_attribute("open", "")
    expect(page.get_by_label("Recherche", exact=True)).to_be_visible()
    filters = page.get_by_test_id("filters-panel").bounding_box()
    card = page.locator(".project-card").first.bounding_box()
    assert filters["x"] + filters["width"] <= card["x"]
    assert card["y"] < 800
