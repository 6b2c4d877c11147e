"""The coordinators' admin in a real browser at 1280×800: the call-up list fits, the
launch button is in view, answers appear live, every input has a name, the home page
shows what waits."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from missions.models import Alert, Mobilization
from tests.e2e.conftest import log_in
from tests.factories import AlertFactory, CoordinatorFactory, UserFactory
from tests.missions.conftest import draft_callup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def coordinator_page(live_server, browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "viewport": DESKTOP})
    log_in(context, live_server, CoordinatorFactory())
    page = context.new_page()
    yield page
    context.close()


def scrolls_sideways(page):
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth"
    )


def test_the_call_up_list_fits_1280_px(live_server, coordinator_page):
    for n in range(3):
        running = draft_callup(
            title=f"Renfort maraudes grand froid, secteur nord-est {n}",
            status=Mobilization.Status.LAUNCHED,
            headcount=12,
        )
        AlertFactory.create_batch(2, mobilization=running, response="accepted")
    draft_callup(title="Appui logistique aux centres d'hébergement d'urgence")
    page = coordinator_page
    page.goto(f"{live_server.url}/admin/missions/mobilization/")
    expect(page.get_by_text("2/12 acceptés · vague 0").first).to_be_visible()
    assert not scrolls_sideways(page)
    progress_cell = page.locator("td.field-progress_link").first
    assert progress_cell.bounding_box()["x"] + progress_cell.bounding_box()["width"] <= 1280


def test_the_launch_button_is_in_view_on_a_saved_draft(live_server, coordinator_page):
    mobilization = draft_callup()
    page = coordinator_page
    page.goto(f"{live_server.url}/admin/missions/mobilization/{mobilization.pk}/change/")
    button = page.get_by_role("link", name="Lancer la mobilisation…")
    expect(button).to_be_in_viewport()
    assert not scrolls_sideways(page)
    button.click()
    expect(page.get_by_role("button", name="Lancer la mobilisation maintenant")).to_be_visible()


def test_the_draft_page_has_no_unnamed_input_and_no_colour_only_link(live_server, coordinator_page):
    mobilization = draft_callup()
    page = coordinator_page
    page.goto(f"{live_server.url}/admin/missions/mobilization/{mobilization.pk}/change/")
    # select2 draws its search box after the page has loaded.
    expect(page.locator(".select2-search__field").first).to_have_attribute(
        "aria-label", "Compétences recherchées"
    )
    violations = Axe().run(page).response["violations"]
    found = {v["id"]: len(v["nodes"]) for v in violations}
    assert "label" not in found, found
    assert "link-in-text-block" not in found, found


def test_an_answer_appears_on_the_progress_page_without_reload(live_server, coordinator_page):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    volunteer = UserFactory(email="ines@example.org", profile__display_name="Inès Martin")
    alert = AlertFactory(mobilization=mobilization, volunteer=volunteer, status="sent")
    page = coordinator_page
    page.goto(f"{live_server.url}/admin/missions/mobilization/{mobilization.pk}/progress/")
    expect(page.get_by_text("Pas encore de réponse.")).to_be_visible()

    Alert.objects.filter(pk=alert.pk).update(
        response=Alert.Response.ACCEPTED, responded_at=timezone.now()
    )

    answers = page.get_by_test_id("answers")
    expect(answers).to_contain_text("Inès Martin", timeout=15000)
    expect(answers).to_contain_text("Acceptée")
    expect(page.get_by_test_id("accepted-count")).to_have_text("1")
    expect(page.get_by_text("Pas encore de réponse.")).to_have_count(0)


def test_the_home_page_leads_to_what_waits(live_server, coordinator_page):
    mobilization = draft_callup(title="Renfort maraudes", status=Mobilization.Status.LAUNCHED)
    page = coordinator_page
    page.goto(f"{live_server.url}/admin/")
    dashboard = page.get_by_test_id("dashboard")
    expect(dashboard.get_by_role("heading", name="Mobilisations en cours")).to_be_visible()
    dashboard.get_by_role("link", name="Renfort maraudes : 0/5 accepté").click()
    expect(page).to_have_url(
        f"{live_server.url}/admin/missions/mobilization/{mobilization.pk}/progress/"
    )
    assert not scrolls_sideways(page)
