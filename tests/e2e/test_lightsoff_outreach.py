"""#12 in Chromium: the kit has Réserve e-mail the shop (a real local SMTP server), the
shopkeeper opens the link of the e-mail and answers, a moderator publishes the answer."""

import re

import pytest
from playwright.sync_api import expect

from lightsoff.models import ShopAnswer, ShopMessage
from lightsoff.services import outreach
from tests.factories import ModeratorFactory, ShopFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_platform_e_mails_the_shop_which_answers_through_the_link(
    live_server, page, smtp_server
):
    shop = ShopFactory(name="Fleuriste de la Bastille", email="fleurs@example.org")
    page.goto(live_server.url + shop.get_absolute_url())
    page.get_by_role("button", name="Faire envoyer par Réserve").click()
    expect(page.get_by_text(re.compile("Réserve (envoie|enverra) le message"))).to_be_visible()
    message = ShopMessage.objects.get(shop=shop)
    if message.status == ShopMessage.Status.SCHEDULED:  # the test ran between 21 h and 8 h
        outreach.send_due_messages(now=message.send_after)
    [received] = smtp_server.messages
    assert received["to"] == ["fleurs@example.org"]
    body = received["message"].get_body(("plain",)).get_content()
    answer_link = next(u for u in re.findall(r"https?://\S+", body) if "/answer/" in u)

    # The shopkeeper opens the link (the site's address is the live server here).
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", answer_link))
    page.get_by_label("L’éclairage est désormais éteint / un programmateur est installé").check()
    page.get_by_label("Depuis quand ? (éclairage éteint ou programmateur installé)").fill(
        "2026-11-20"
    )
    page.get_by_label("Un mot à ajouter ? (facultatif)").fill("Programmateur posé.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_test_id("answer-done")).to_be_visible()

    # Not shown before a moderator publishes it.
    page.goto(live_server.url + shop.get_absolute_url())
    expect(page.get_by_test_id("platform-contacted")).to_contain_text("Contacté par Réserve le")
    expect(page.get_by_test_id("shop-answers")).to_have_count(0)
    answer = ShopAnswer.objects.get(shop=shop)
    outreach.publish_answer(answer=answer, by=ModeratorFactory())
    page.reload()
    expect(page.get_by_test_id("shop-answers")).to_contain_text("Programmateur posé.")


def test_the_printed_letter_shows_the_answer_qr_code(live_server, page):
    shop = ShopFactory()
    page.goto(live_server.url + f"/lightsoff/shops/{shop.pk}/letter/")
    qr = page.locator("svg.letter-qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] > 80 and abs(box["width"] - box["height"]) < 2  # square, scannable
    expect(page.get_by_test_id("letter-answer")).to_contain_text("/lightsoff/answer/")
