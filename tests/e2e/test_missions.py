"""The call-up, end to end in a real browser: admin launch → e-mail → answer → live progress."""

import re

import pytest
from playwright.sync_api import expect

from missions.models import Alert
from tests.factories import PASSWORD, CoordinatorFactory
from tests.helpers import wait_for
from tests.missions.conftest import draft_callup, reachable_volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def watch_errors(page):
    """Console and page errors, but the admin's missing /favicon.ico (not ours to serve)."""
    errors = []

    def on_console(message):
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.mark.worker
def test_a_coordinator_launches_a_volunteer_accepts_and_the_progress_view_shows_it(
    live_server, page, smtp_server, settings, celery_worker
):
    settings.SITE_URL = live_server.url
    # The whole pipeline: the admin enqueues on Redis, a real worker process sends.
    celery_worker(
        EMAIL_URL=f"smtp://{smtp_server.host}:{smtp_server.port}", SITE_URL=live_server.url
    )
    errors = watch_errors(page)
    volunteer = reachable_volunteer()
    coordinator = CoordinatorFactory()
    reachable_volunteer(region="84")  # for the next wave, not this one
    mobilization = draft_callup(title="Renfort maraudes grand froid", headcount=3)

    # The coordinator opens the draft call-up: the admin's login is allauth's.
    page.goto(
        f"{live_server.url}/admin/login/?next=/admin/missions/mobilization/{mobilization.pk}/change/"
    )
    page.locator("#id_login").fill(coordinator.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text("Vague 1 : 1 nouveaux réservistes")).to_be_visible()

    # Launch, with a confirmation step that shows the funnel.
    page.get_by_test_id("launch-link").click()
    expect(page.locator("[data-step=available]").first).to_contain_text("disponibles aux dates")
    page.get_by_test_id("confirm-launch").click()
    expect(
        page.get_by_text("Mobilisation lancée : 1 réserviste est alerté maintenant.")
    ).to_be_visible()
    expect(page.get_by_test_id("accepted-count")).to_have_text("0")

    # The e-mail arrives at the SMTP server; the volunteer follows its link.
    wait_for(lambda: smtp_server.messages, timeout=90)
    (delivered,) = smtp_server.messages
    assert delivered["to"] == [volunteer.email]
    text = delivered["message"].get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/missions/respond/[\w-]+/", text).group(0)

    volunteer_page = page.context.browser.new_page(locale="fr-FR")
    volunteer_page.goto(link)
    expect(volunteer_page.get_by_role("heading", level=1)).to_have_text(
        "Renfort maraudes grand froid"
    )
    volunteer_page.get_by_role("button", name="J’accepte").click()
    expect(volunteer_page.get_by_text("vous faites partie de l’équipe")).to_be_visible()
    assert Alert.objects.get().response == Alert.Response.ACCEPTED

    # The coordinator's progress view updates by itself (no reload).
    expect(page.get_by_test_id("accepted-count")).to_have_text("1", timeout=15000)
    assert errors == []
    volunteer_page.close()


def test_the_answer_page_fits_a_360px_phone(live_server, page):
    mobilization = draft_callup(status="launched")
    alert = Alert.objects.create(mobilization=mobilization, volunteer=reachable_volunteer())
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/missions/respond/{alert.token}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.get_by_role("button", name="J’accepte")).to_be_visible()
