"""The backlog's "done when", in a real Chromium: a volunteer proposes an idea, a
coordinator qualifies and opens it in the admin, another volunteer finds it through the
filters, applies, is accepted, and sees it in their space. E-mails go through a real
SMTP server."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from projects.models import Project
from tests.factories import CoordinatorFactory, UserFactory
from tests.helpers import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in_as(page, live_server, user):
    """Swap the browser's session for `user`'s (the log-in form has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.session.session_key,
                "url": live_server.url,
            }
        ]
    )


def _mail_to(smtp_server, email, text):
    def find():
        for item in smtp_server.messages:
            if email in item["to"]:
                body = item["message"].get_body(preferencelist=("plain",)).get_content()
                if text in body or text in str(item["message"]["Subject"]):
                    return body
        return None

    return wait_for(find, timeout=20)


def test_an_idea_becomes_an_open_project_that_a_volunteer_finds_and_joins(
    live_server, page, smtp_server, settings, console_errors
):
    settings.SITE_URL = live_server.url
    # The Django admin links no icon, so Chromium asks for /favicon.ico (a 404 to ignore).
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    settings.REQUIRE_STAFF_MFA = False
    author = UserFactory(email="ines@example.org", profile__display_name="Inès")
    coordinator = CoordinatorFactory(email="coord@example.org")
    volunteer = UserFactory(email="yanis@example.org", profile__display_name="Yanis")

    # 1. Inès proposes an idea through the guided form; a typo is refused on its field.
    _log_in_as(page, live_server, author)
    page.goto(live_server.url + "/projects/")
    page.get_by_role("link", name="Proposer une idée", exact=True).click()
    page.locator("#id_title").fill("Alerte canicule pour les personnes isolées")
    page.locator("#id_pitch").fill("Appeler les personnes isolées pendant les canicules.")
    page.locator("#id_problem").fill("Les registres communaux existent mais personne n'appelle.")
    page.locator("#id_theme").select_option("solidarity")
    page.locator("#id_beneficiaries").fill("Les personnes âgées isolées et les CCAS.")
    page.locator("#id_one_month_deliverable").fill("Un service d'appels testé dans une commune.")
    page.locator("#id_help_needed").fill("Design et développement.")
    page.locator("#id_expected_weeks").fill("400")
    page.get_by_role("button", name="Envoyer mon idée").click()
    expect(page.locator("#id_expected_weeks")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_title")).to_have_value("Alerte canicule pour les personnes isolées")
    page.locator("#id_expected_weeks").fill("4")
    page.get_by_role("button", name="Envoyer mon idée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Alerte canicule pour les personnes isolées"
    )
    expect(page.get_by_test_id("project-status")).to_have_text("Idée")
    project = Project.objects.get()
    # The coordinators hear of it by e-mail, sent in the background.
    assert "/admin/projects/project/" in _mail_to(smtp_server, coordinator.email, "Nouvelle idée")

    # Inès lists the role she needs from her lead's space.
    page.get_by_role("link", name="Gérer ce projet").click()
    page.locator("#id_need_skill").select_option(label="Design UX")
    page.locator("#id_need_title").fill("Designer")
    page.locator("#id_need_hours_per_week").fill("6")
    page.get_by_role("button", name="Ajouter le rôle").click()
    expect(page.get_by_text("Rôle enregistré.")).to_be_visible()

    # 2. A coordinator qualifies it and opens it in the admin.
    _log_in_as(page, live_server, coordinator)
    page.goto(f"{live_server.url}/admin/projects/project/{project.pk}/change/")
    page.locator("#id_qualification-0-blind_spot").fill("Personne n'appelle les isolés.")
    page.locator("#id_qualification-0-urgent_need").fill("La canicule de juillet.")
    page.locator("#id_qualification-0-decision").select_option("go")
    page.locator("#id_status").select_option("open")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Alerte canicule")
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN

    # 3. Yanis finds it through the filters; the filters stay in the URL.
    _log_in_as(page, live_server, volunteer)
    page.goto(live_server.url + "/projects/")
    page.locator("#id_theme").select_option("solidarity")
    page.locator(".choice-groups > summary").click()  # the skills come folded
    page.get_by_label("Design UX", exact=True).check()
    page.locator("#id_hours").select_option("8")
    page.get_by_role("button", name="Afficher les projets").click()
    expect(page).to_have_url(re.compile(r"theme=solidarity.*hours=8"))
    results = page.get_by_test_id("project-list")
    expect(results.get_by_role("link")).to_have_count(1)
    results.get_by_role("link", name="Alerte canicule pour les personnes isolées").click()
    expect(
        page.get_by_role("heading", name="Qualifié avec les agents publics concernés")
    ).to_be_visible()
    expect(page.get_by_text("Personne n'appelle les isolés.")).to_be_visible()

    # He applies with a message, and finds the application in his space.
    page.get_by_role("link", name=re.compile("^Candidater")).click()
    page.locator("#id_message").fill("Designer, libre trois semaines en juillet.")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page).to_have_url(re.compile(r"/projects/mine/$"))
    expect(page.get_by_test_id("my-applications")).to_contain_text("En attente")

    # 4. Inès accepts him; he is told by e-mail.
    _log_in_as(page, live_server, author)
    page.goto(f"{live_server.url}/projects/{project.slug}/manage/")
    page.get_by_role("button", name="Accepter Yanis").click()
    expect(page.get_by_text("Candidature acceptée")).to_be_visible()
    assert "Bonne nouvelle" in _mail_to(smtp_server, volunteer.email, "Vous rejoignez")

    # 5. Yanis sees the project in his space, and the team shows his public name only.
    _log_in_as(page, live_server, volunteer)
    page.goto(live_server.url + "/volunteers/")
    page.goto(live_server.url + "/projects/mine/")
    expect(page.get_by_test_id("my-teams")).to_contain_text(
        "Alerte canicule pour les personnes isolées"
    )
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    expect(page.get_by_role("region", name="L'équipe")).to_contain_text("Yanis")
    expect(page.locator("main")).not_to_contain_text("yanis@example.org")
    assert console_errors == []
