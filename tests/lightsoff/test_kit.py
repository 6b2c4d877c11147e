"""/lightsoff/shops/<id>/: the kit and its actions."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise

from lightsoff import constants
from lightsoff.models import ContactAction, ReporterSubscription, Shop, VolunteerContactTask
from tests.factories import ShopFactory, SightingFactory, UserFactory

pytestmark = pytest.mark.django_db


def french_number(value):
    """A whole number as the French page writes it ("1 500", grouped)."""
    with translation.override("fr"):
        return formats.number_format(value, 0, force_grouping=True)


def kit(client, shop):
    response = client.get(reverse("lightsoff:shop", args=[shop.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_kit_fills_the_shop_name_into_messages_of_three_tones_in_two_languages(client):
    shop = ShopFactory(name="Fleuriste des Halles")
    page = kit(client, shop)
    assert page.count('class="ready-message"') == 6
    assert "Bonjour Fleuriste des Halles !" in page  # friendly, French
    assert "Hello Fleuriste des Halles, your shop window" in page  # firm, English
    assert "Madame, Monsieur" in page and "Dear Sir or Madam" in page
    assert 'data-copy-target="message-friendly-fr"' in page


def test_the_kit_states_the_rule_the_fines_and_their_sources(client):
    page = kit(client, ShopFactory())
    assert "27 décembre 2018" in page
    assert "legifrance.gouv.fr" in page
    assert f"(personne physique) : <strong>{french_number(1500)} €</strong>" in page
    assert f"personne physique) : <strong>{french_number(7500)} €</strong>" in page
    assert "Code de l&#x27;environnement, article R583-7 (rédaction issue du décret" in page
    assert "code pénal, article 131-13" in page


def test_the_estimate_uses_the_constants_module(client):
    page = kit(client, ShopFactory())
    # No answers and no opening hours: a shop front lit through the default 1 h–7 h.
    kwh = (
        constants.LIGHTING_POWER_KW.value
        * constants.HOURS_PER_NIGHT.value
        * constants.NIGHTS_PER_YEAR.value
    )
    assert f"{french_number(kwh)} kWh" in page
    assert "ADEME, Base Empreinte®, électricité — mix moyen, France continentale" in page


def test_every_figure_of_the_kit_is_translatable():
    """Labels and sources go through gettext: no English left in the French kit."""
    figures = [
        constants.RULE_SOURCE,
        constants.SIGN_RULE_SOURCE,
        *constants.FINES,
        *constants.POWER_KW.values(),
        *constants.ESTIMATE_FIGURES,
        constants.NATIONAL_CO2_TONNES,
    ]
    for figure in figures:
        assert isinstance(figure.label, Promise), figure
        assert isinstance(figure.source, Promise) or figure.source == "—", figure


def test_the_kit_speaks_one_language(client):
    shop = ShopFactory()
    french = kit(client, shop)
    assert "ordre de grandeur : quelques dizaines de spots et une enseigne" in french
    assert "order of magnitude" not in french
    english = client.get(
        reverse("lightsoff:shop", args=[shop.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "order of magnitude: a few dozen spots and a sign" in english
    assert "Criminal Code, article 131-41" in english


def test_with_opening_hours_the_kit_says_whether_the_shop_was_closed_when_seen(client):
    shop = ShopFactory(opening_hours="Mo-Sa 09:00-19:00")
    seen = timezone.localtime().replace(hour=3, minute=0) - datetime.timedelta(days=1)
    shop.last_seen_lit_at = seen
    shop.save()
    page = kit(client, shop)
    assert "Mo-Sa 09:00-19:00" in page
    assert "le commerce était fermé et ses vitrines devaient être éteintes" in page


def test_the_kit_links_to_openstreetmap_and_a_public_map_without_api_key(client):
    shop = ShopFactory(name="Café & Co", address="1 rue X", osm_id="node/123")
    page = kit(client, shop)
    assert "https://www.openstreetmap.org/node/123" in page
    assert "https://www.google.com/maps/search/?api=1&amp;query=Caf%C3%A9+%26+Co+1+rue+X" in page
    assert "key=" not in page


def test_the_kit_never_shows_who_reported(client):
    sighting = SightingFactory(reporter=UserFactory())
    page = kit(client, sighting.shop)
    assert sighting.reporter.email not in page


def test_a_hidden_shop_is_gone_and_a_merged_one_leads_to_its_target(client):
    hidden = ShopFactory(is_hidden=True)
    assert client.get(reverse("lightsoff:shop", args=[hidden.pk])).status_code == 404
    target = ShopFactory()
    merged = ShopFactory(is_hidden=True, merged_into=target)
    response = client.get(reverse("lightsoff:shop", args=[merged.pk]))
    assert response.status_code == 302 and response["Location"] == target.get_absolute_url()


def test_i_did_it_logs_the_action_and_bumps_the_count(client):
    shop = ShopFactory()
    response = client.post(reverse("lightsoff:contacted", args=[shop.pk]), {"channel": "review"})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.contacts_count == 1 and shop.status == Shop.Status.CONTACTED
    action = ContactAction.objects.get()
    assert action.channel == "review" and action.actor is None and action.ip_hash
    page = client.get(shop.get_absolute_url()).content.decode()
    assert "Merci ! Votre action est enregistrée." in page
    assert "contacté (Avis en ligne)" in page


def test_i_did_it_with_an_unknown_channel_shows_the_error_next_to_the_field(client):
    shop = ShopFactory()
    response = client.post(reverse("lightsoff:contacted", args=[shop.pk]), {"channel": "pigeon"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not ContactAction.objects.exists()


def test_actions_need_a_post(client):
    shop = ShopFactory()
    assert client.get(reverse("lightsoff:contacted", args=[shop.pk])).status_code == 405


def test_actions_are_rate_limited(client, settings):
    settings.LIGHTSOFF_RATE_LIMITS = {"action": (1, 3600)}
    shop = ShopFactory()
    url = reverse("lightsoff:contacted", args=[shop.pk])
    assert client.post(url, {"channel": "phone"}).status_code == 302
    assert client.post(url, {"channel": "phone"}).status_code == 429
    assert ContactAction.objects.count() == 1


def test_do_it_for_me_creates_one_task_for_volunteers(client):
    shop = ShopFactory()
    url = reverse("lightsoff:delegate", args=[shop.pk])
    client.post(url)
    client.post(url)
    assert VolunteerContactTask.objects.filter(shop=shop, status="open").count() == 1
    assert "Un bénévole de la réserve s'en occupe." in kit(client, shop)


def night(days_ago, hour=2):
    """`hour` o'clock (local time) in the night that ended `days_ago` days ago."""
    moment = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment - datetime.timedelta(days=days_ago)


def post_moment(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_dark_checks_on_two_nights_resolve_the_shop(client):
    shop = ShopFactory(status=Shop.Status.CONTACTED)
    SightingFactory(shop=shop, seen_at=night(4))
    url = reverse("lightsoff:check", args=[shop.pk])
    client.post(url, {"lit": "0", "seen_at": post_moment(night(2))})
    shop.refresh_from_db()
    assert shop.status == Shop.Status.CONTACTED
    client.post(url, {"lit": "0", "seen_at": post_moment(night(1, hour=3))})
    shop.refresh_from_db()
    assert shop.status == Shop.Status.RESOLVED


def test_two_dark_checks_in_one_night_or_by_day_do_not_resolve_the_shop(client):
    shop = ShopFactory(status=Shop.Status.CONTACTED)
    SightingFactory(shop=shop, seen_at=night(4))
    url = reverse("lightsoff:check", args=[shop.pk])
    client.post(url, {"lit": "0", "seen_at": post_moment(night(2, hour=2))})
    client.post(url, {"lit": "0", "seen_at": post_moment(night(2, hour=4))})
    response = client.post(
        url, {"lit": "0", "seen_at": post_moment(night(1, hour=15))}, follow=True
    )
    shop.refresh_from_db()
    assert shop.status == Shop.Status.CONTACTED
    assert shop.sightings.filter(lit=False).count() == 3
    assert "revenez la nuit" in response.content.decode()


def test_a_dark_window_after_a_late_closing_is_not_a_night_check(client):
    # Open until 3 h: at 2 h its lights are allowed, so a dark window proves nothing.
    shop = ShopFactory(status=Shop.Status.CONTACTED, opening_hours="Mo-Su 10:00-03:00")
    SightingFactory(shop=shop, seen_at=night(4, hour=5))
    url = reverse("lightsoff:check", args=[shop.pk])
    client.post(url, {"lit": "0", "seen_at": post_moment(night(2, hour=2))})
    client.post(url, {"lit": "0", "seen_at": post_moment(night(1, hour=2))})
    shop.refresh_from_db()
    assert shop.status == Shop.Status.CONTACTED


def test_a_check_from_the_future_is_refused_on_the_field(client):
    shop = ShopFactory()
    future = timezone.now() + datetime.timedelta(days=1)
    response = client.post(
        reverse("lightsoff:check", args=[shop.pk]), {"lit": "0", "seen_at": post_moment(future)}
    )
    assert response.status_code == 400
    assert "Ce moment est dans le futur." in response.content.decode()
    assert not shop.sightings.exists()


def test_i_did_it_can_be_dated(client):
    shop = ShopFactory()
    when = night(3, hour=21)
    client.post(
        reverse("lightsoff:contacted", args=[shop.pk]),
        {"channel": "phone", "done_at": post_moment(when)},
    )
    action = shop.contacts.get()
    assert action.done_at == when


def test_subscribing_sends_a_confirmation_and_nothing_else_before_it(
    client, django_capture_on_commit_callbacks
):
    shop = ShopFactory(name="Opticien Lumière")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lightsoff:subscribe", args=[shop.pk]), {"email": "Voisin@Example.org"})
    subscription = ReporterSubscription.objects.get()
    assert subscription.email == "voisin@example.org" and not subscription.is_active
    [message] = mail.outbox
    assert message.to == ["voisin@example.org"]
    assert "Opticien Lumière" in message.subject
    assert f"/lightsoff/subscriptions/{subscription.token}/confirm/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_confirmation_link_needs_a_post_so_mail_scanners_do_not_confirm(client):
    subscription = ReporterSubscription.objects.create(shop=ShopFactory(), email="a@example.org")
    url = reverse("lightsoff:subscription_confirm", args=[subscription.token])
    assert client.get(url).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    client.post(url)
    subscription.refresh_from_db()
    assert subscription.is_active


def test_one_click_unsubscribe_works_without_a_csrf_token(client):
    from django.test import Client

    subscription = ReporterSubscription.objects.create(
        shop=ShopFactory(), email="a@example.org", confirmed_at=timezone.now()
    )
    strict = Client(enforce_csrf_checks=True)
    url = reverse("lightsoff:subscription_unsubscribe", args=[subscription.token])
    assert strict.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    subscription.refresh_from_db()
    assert not subscription.is_active


def test_a_shop_seen_dark_twice_tells_confirmed_subscribers_once(
    client, django_capture_on_commit_callbacks
):
    shop = ShopFactory(status=Shop.Status.CONTACTED)
    SightingFactory(shop=shop, seen_at=night(5))
    ReporterSubscription.objects.create(
        shop=shop, email="yes@example.org", confirmed_at=timezone.now()
    )
    ReporterSubscription.objects.create(shop=shop, email="unconfirmed@example.org")
    url = reverse("lightsoff:check", args=[shop.pk])
    for days_ago in (3, 2, 1):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"lit": "0", "seen_at": post_moment(night(days_ago))})
    assert [m.to for m in mail.outbox] == [["yes@example.org"]]
    assert "éteint la nuit" in mail.outbox[0].subject


def test_notifying_twice_sends_nothing_more():
    from lightsoff.tasks import notify_subscribers

    shop = ShopFactory()
    ReporterSubscription.objects.create(
        shop=shop, email="yes@example.org", confirmed_at=timezone.now()
    )
    assert notify_subscribers(shop.pk, "contacted") == 1
    assert notify_subscribers(shop.pk, "contacted") == 0
    assert len(mail.outbox) == 1


def test_the_letter_is_an_a4_page_with_the_shop_and_a_print_stylesheet(client):
    shop = ShopFactory(name="Pharmacie du Parc")
    response = client.get(reverse("lightsoff:letter", args=[shop.pk]))
    page = response.content.decode()
    assert "Pharmacie du Parc" in page
    assert "lightsoff/letter.css" in page
    assert "Objet : éclairage de votre vitrine la nuit" in page


def test_subscribing_again_and_again_sends_one_confirmation_an_hour(
    client, django_capture_on_commit_callbacks
):
    shop = ShopFactory()
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("lightsoff:subscribe", args=[shop.pk]), {"email": "a@example.org"})
    assert len(mail.outbox) == 1


def test_a_shop_that_relapses_and_is_switched_off_again_is_news_again(
    client, django_capture_on_commit_callbacks
):
    shop = ShopFactory(status=Shop.Status.CONTACTED)
    SightingFactory(shop=shop, seen_at=night(9))
    ReporterSubscription.objects.create(
        shop=shop, email="yes@example.org", confirmed_at=timezone.now()
    )
    url = reverse("lightsoff:check", args=[shop.pk])
    for days_ago, lit in ((7, "0"), (6, "0"), (5, "1"), (3, "0"), (2, "0")):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"lit": lit, "seen_at": post_moment(night(days_ago))})
    shop.refresh_from_db()
    assert shop.status == Shop.Status.RESOLVED
    assert len([m for m in mail.outbox if "éteint la nuit" in m.subject]) == 2
