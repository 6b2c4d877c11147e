"""The volunteer's journey in a real Chromium: sign up, verify the e-mail through a real
SMTP server, onboard, edit availability, export the data, delete the account."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.helpers import wait_for
from volunteers.models import Profile, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def _confirmation_link(smtp_server, email):
    def find():
        for item in smtp_server.messages:
            if email in item["to"]:
                body = item["message"].get_body(preferencelist=("plain",)).get_content()
                match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
                if match:
                    return match.group(0)
        return None

    return wait_for(find, timeout=20)


def test_a_volunteer_signs_up_onboards_edits_exports_and_deletes(
    live_server, page, smtp_server, settings, console_errors
):
    settings.SITE_URL = live_server.url
    email = "camille@example.org"
    today = timezone.localdate()

    # Sign up, with the explicit consent to the privacy notice.
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Courriel").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Création de compte").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    # The verification link arrives through the real SMTP server.
    link = _confirmation_link(smtp_server, email)
    page.goto(link.replace("http://testserver", live_server.url))
    page.locator("main form button[type=submit]").click()

    # Onboarding, right after the verification.
    expect(page).to_have_url(re.compile(r"/volunteers/welcome/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue dans la réserve")
    page.get_by_label("Design UX").check()
    page.get_by_label("Disponible à partir du").fill(
        (today + datetime.timedelta(days=5)).isoformat()
    )
    page.locator("#id_available_until").fill((today + datetime.timedelta(days=23)).isoformat())
    page.get_by_label("Heures par semaine").fill("30")
    page.get_by_label("Votre département").select_option("69")
    page.get_by_label("Je peux être mobilisé en cas de crise").check()
    page.get_by_role("button", name="Enregistrer mon profil").click()
    expect(page.get_by_text("Bienvenue dans la réserve ! Votre profil est prêt.")).to_be_visible()
    expect(page.get_by_test_id("profile-hint")).to_have_count(0)
    expect(page.get_by_test_id("availability-list")).to_contain_text("30")

    # Edit the availability: fewer hours, and a typo refused next to the field.
    page.get_by_role("link", name="Modifier mon profil").click()
    hours = page.locator("#id_periods-0-hours_per_week")
    hours.fill("12")
    page.locator("#id_periods-1-starts_on").fill((today + datetime.timedelta(days=40)).isoformat())
    page.locator("#id_periods-1-ends_on").fill((today + datetime.timedelta(days=30)).isoformat())
    page.locator("#id_periods-1-hours_per_week").fill("10")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("La date de fin est antérieure à la date de début.")).to_be_visible()
    expect(page.locator("#id_periods-0-hours_per_week")).to_have_value("12")  # kept
    page.locator("#id_periods-1-ends_on").fill((today + datetime.timedelta(days=50)).isoformat())
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()

    # Export everything held about me.
    page.get_by_role("link", name="Retour à mon espace").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("export-link").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == email
    assert sorted(p["hours_per_week"] for p in data["profile"]["availabilities"]) == [10, 12]
    assert data["profile"]["skills"][0]["skill"] == "design-ux"
    assert data["profile"]["privacy_notice_version"] == 1

    # Delete the account.
    page.get_by_role("link", name="Supprimer mon compte").click()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_text("Cochez la case pour confirmer.")).to_be_visible()
    page.get_by_label("Je comprends que mon compte").check()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_text("Votre compte est supprimé")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()

    assert not User.objects.filter(email=email).exists()
    profile = Profile.objects.get(anonymised_at__isnull=False)
    assert profile.display_name == "" and not profile.availabilities.exists()
    assert console_errors == []


def _log_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


@pytest.mark.parametrize("path", ["/volunteers/", "/volunteers/me/", "/volunteers/welcome/"])
def test_the_volunteer_pages_fit_a_360px_phone(live_server, page, path, console_errors):
    from tests.factories import UserFactory

    # A long address without spaces is shown as the name until one is given.
    _log_in(page, live_server, UserFactory(email="camillemartindurand2026@example.org"))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert console_errors == []


def test_a_coordinator_filters_the_directory_and_exports_it(live_server, page):
    from tests.factories import CoordinatorFactory, ProfileSkillFactory, UserFactory, skill

    ux = UserFactory(profile__display_name="Inès Designer", profile__departement="75")
    ProfileSkillFactory(profile=ux.profile, skill=skill("design-ux"))
    UserFactory(profile__display_name="Hugo Rédacteur", profile__departement="13")
    _log_in(page, live_server, CoordinatorFactory())
    page.goto(live_server.url + "/volunteers/directory/")
    table = page.get_by_test_id("directory-table")
    expect(table).to_contain_text("Hugo Rédacteur")
    page.locator("#id_skills").select_option(label="Design UX")
    page.get_by_role("button", name="Filtrer").click()
    expect(table).to_contain_text("Inès Designer")
    expect(table).not_to_contain_text("Hugo Rédacteur")
    with page.expect_download() as download_info:
        page.get_by_test_id("directory-csv").click()
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "Inès Designer" in csv_text and "Hugo Rédacteur" not in csv_text
