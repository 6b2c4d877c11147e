"""#12's whole loop in Chromium, as the people in it live it, with a real local SMTP server:
a citizen reports a lit shop on their phone and subscribes to its news; Réserve e-mails
the shop; the shopkeeper answers through the link of that e-mail; the shop stays lit on
three nights two weeks later; a moderator refers it, and the dossier PDF reaches the
mairie of its commune; the town hall's agent records a formal notice, and the citizen
hears of it."""

import datetime
import io
import re
import zoneinfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from lightsoff import services
from lightsoff.models import Shop, ShopMessage, TownHallAgent
from lightsoff.services import outreach
from tests.e2e.conftest import fake_tiles, log_in
from tests.factories import ModeratorFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
BASTILLE = {"latitude": 48.8532, "longitude": 2.3691}
LINK = re.compile(r"https?://\S+")


def _links(message):
    return LINK.findall(message["message"].get_body(("plain",)).get_content())


def _path(url):
    """The live server stands for SITE_URL: keep the path of a link the e-mail gave."""
    return re.sub(r"^https?://[^/]+", "", url)


def _mail_to(smtp_server, address):
    return [m for m in smtp_server.messages if m["to"] == [address]]


def test_a_lit_shop_goes_from_a_report_to_the_town_halls_action(
    live_server, browser, browser_context_args, smtp_server, settings
):
    settings.REQUIRE_STAFF_MFA = False  # the moderator's second factor has its own tests
    # The communes and the mairies' directory, from the extracts the repository ships.
    call_command("load_communes", "--skip-shops", stdout=io.StringIO())
    call_command("import_annuaire", "--skip-shops", stdout=io.StringIO())

    # 1. A citizen, at night on their phone, reports the shop and asks for its news.
    phone = browser.new_context(
        **browser_context_args,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation=BASTILLE,
        permissions=["geolocation"],
    )
    fake_tiles(phone)
    page = phone.new_page()
    page.goto(live_server.url + "/lightsoff/report/")
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.get_by_label("Nom du commerce").fill("Opticien de la Bastille")
    page.get_by_label("La vitrine ou l'éclairage intérieur").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opticien de la Bastille")
    shop_url = page.url
    shop = Shop.objects.get()
    assert shop.commune_id == "75056"  # found from its position: the mairie that acts

    page.get_by_label("Votre e-mail").fill("riveraine@example.net")
    page.get_by_role("button", name="Tenez-moi au courant").click()
    expect(page.get_by_text("Consultez votre messagerie")).to_be_visible()
    [confirm] = _mail_to(smtp_server, "riveraine@example.net")
    confirm_link = next(u for u in _links(confirm) if "/confirm/" in u)
    page.goto(live_server.url + _path(confirm_link))
    page.get_by_role("button", name="Confirmer").click()

    # 2. The shop's e-mail is known (a moderator added it); Réserve sends the message.
    Shop.objects.filter(pk=shop.pk).update(email="opticien@example.org")
    page.goto(shop_url)
    page.get_by_role("button", name="Faire envoyer par Réserve").click()
    expect(page.get_by_text(re.compile("Réserve (envoie|enverra) le message"))).to_be_visible()
    message = ShopMessage.objects.get(shop=shop)
    if message.status == ShopMessage.Status.SCHEDULED:  # asked between 21 h and 8 h
        outreach.send_due_messages(now=message.send_after)
    [to_shop] = _mail_to(smtp_server, "opticien@example.org")
    answer_link = next(u for u in _links(to_shop) if "/answer/" in u)
    phone.close()

    # 3. The shopkeeper opens the link of the e-mail, without an account, and answers.
    shopkeeper = browser.new_context(**browser_context_args)
    page = shopkeeper.new_page()
    page.goto(live_server.url + _path(answer_link))
    page.get_by_label("L’éclairage est désormais éteint / un programmateur est installé").check()
    page.get_by_label("Depuis quand ? (éclairage éteint ou programmateur installé)").fill(
        datetime.date.today().isoformat()
    )
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_test_id("answer-done")).to_be_visible()
    shopkeeper.close()

    # 4. Time passes: the contact was a month ago; the shop is seen lit at 2 h on three
    # nights, 15 to 17 days after it (dated reports, as the report form takes them).
    contacted = Shop.objects.get(pk=shop.pk).contacted_at - datetime.timedelta(days=30)
    Shop.objects.filter(pk=shop.pk).update(contacted_at=contacted)
    for day in (15, 16, 17):
        night = (contacted + datetime.timedelta(days=day)).astimezone(PARIS)
        services.report_sighting(
            shop=Shop.objects.get(pk=shop.pk),
            lat=shop.latitude,
            lng=shop.longitude,
            seen_at=night.replace(hour=2, minute=0),
        )
    assert Shop.objects.get(pk=shop.pk).status == Shop.Status.TO_REFER

    # 5. A moderator refers it from the admin: the dossier reaches the mairie.
    moderator = browser.new_context(**browser_context_args)
    log_in(moderator, live_server, ModeratorFactory())
    page = moderator.new_page()
    page.goto(f"{live_server.url}/admin/lightsoff/shop/?status__exact=to_refer")
    page.get_by_role("checkbox", name=re.compile("Opticien de la Bastille")).check()
    page.get_by_role("combobox", name="Action").select_option(label="Signaler à la mairie")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".messagelist")).to_contain_text("mairie@paris.example")
    moderator.close()
    [to_mairie] = _mail_to(smtp_server, "mairie@paris.example")
    [pdf] = list(to_mairie["message"].iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert b"riveraine@example.net" not in pdf.get_content()

    # 6. The agent of Paris's town hall logs in and records a formal notice.
    agent_user = UserFactory(email="agent@paris.example")
    TownHallAgent.objects.create(user=agent_user).communes.add(shop.commune_id)
    agent = browser.new_context(**browser_context_args)
    log_in(agent, live_server, agent_user)
    page = agent.new_page()
    page.goto(f"{live_server.url}/lightsoff/mairie/")
    page.get_by_role("link", name="Opticien de la Bastille").click()
    page.get_by_label("Mise en demeure envoyée").check()
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_test_id("town-hall-actions")).to_contain_text("Mise en demeure envoyée")
    page.goto(shop_url)
    expect(page.get_by_test_id("town-hall")).to_contain_text("Mise en demeure envoyée")
    agent.close()

    # 7. The citizen who subscribed hears of each step, the town hall's action last.
    subjects = [m["message"]["Subject"] for m in _mail_to(smtp_server, "riveraine@example.net")]
    assert any("La mairie a agi" in subject for subject in subjects), subjects
