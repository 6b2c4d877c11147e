"""#12 in Chromium, the end of the loop: a shop still lit on three nights after its first
contact is referred from the admin (the dossier PDF reaches the mairie at a real local
SMTP server), the town hall's agent records a formal notice in their space, the shop's
page shows it and the reporter who subscribed hears of it."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lightsoff import services
from lightsoff.models import Commune, ReporterSubscription, Shop, TownHall, TownHallAgent
from tests.e2e.conftest import log_in
from tests.factories import ModeratorFactory, ShopFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_a_repeat_offender_is_referred_and_the_town_hall_acts(
    live_server, browser, browser_context_args, smtp_server, settings
):
    settings.REQUIRE_STAFF_MFA = False
    commune = Commune.objects.create(insee_code="75111", name="Paris 11e", departement="75")
    TownHall.objects.create(commune=commune, name="Mairie du 11e", email="mairie@paris11.example")
    contacted = timezone.now() - datetime.timedelta(days=30)
    shop = ShopFactory(
        name="Opticien Voltaire",
        commune=commune,
        status=Shop.Status.CONTACTED,
        contacts_count=1,
        contacted_at=contacted,
        sightings_count=0,
    )
    ReporterSubscription.objects.create(
        shop=shop, email="riveraine@example.net", confirmed_at=contacted
    )
    # Seen lit at 2 h on three nights, 15 to 17 days after the first contact (dated reports).
    for day in (15, 16, 17):
        night = (contacted + datetime.timedelta(days=day)).astimezone(PARIS)
        services.report_sighting(
            shop=shop, lat=shop.latitude, lng=shop.longitude, seen_at=night.replace(hour=2)
        )
    shop.refresh_from_db()
    assert shop.status == Shop.Status.TO_REFER

    # A moderator refers it from the shops' list.
    moderator = browser.new_context(**browser_context_args)
    log_in(moderator, live_server, ModeratorFactory())
    page = moderator.new_page()
    page.goto(f"{live_server.url}/admin/lightsoff/shop/?status__exact=to_refer")
    page.get_by_role("checkbox", name=re.compile("Opticien Voltaire")).check()
    page.get_by_role("combobox", name="Action").select_option(label="Signaler à la mairie")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".messagelist")).to_contain_text("mairie@paris11.example")
    moderator.close()

    [to_mairie] = [m for m in smtp_server.messages if m["to"] == ["mairie@paris11.example"]]
    [pdf] = list(to_mairie["message"].iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF")

    # The agent of that commune records a formal notice in their space.
    agent_user = UserFactory(email="agent@paris11.example")
    TownHallAgent.objects.create(user=agent_user).communes.add(commune)
    agent = browser.new_context(**browser_context_args)
    log_in(agent, live_server, agent_user)
    page = agent.new_page()
    page.goto(f"{live_server.url}/lightsoff/mairie/")
    expect(page.get_by_test_id("mairie-shops")).to_contain_text("Signalé à la mairie")
    page.get_by_role("link", name="Opticien Voltaire").click()
    page.get_by_label("Mise en demeure envoyée").check()
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_test_id("town-hall-actions")).to_contain_text("Mise en demeure envoyée")

    # The shop's public page says so, and the subscribed reporter got the news.
    page.goto(live_server.url + shop.get_absolute_url())
    expect(page.get_by_test_id("town-hall")).to_contain_text("Mise en demeure envoyée")
    agent.close()
    news = [m for m in smtp_server.messages if m["to"] == ["riveraine@example.net"]]
    subjects = [m["message"]["Subject"] for m in news]
    assert any("La mairie a agi" in subject for subject in subjects), subjects
