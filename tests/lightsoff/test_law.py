"""Issue #12, "the law and the figures, exactly": the fines as the texts state them,
windows and signs under their own rules, a per-shop estimate, the national figure."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from lightsoff import constants, selectors
from lightsoff.hours import PARIS, legality, mean_dark_hours
from lightsoff.models import Sighting
from tests.factories import ShopFactory, SightingFactory

pytestmark = pytest.mark.django_db

# 3,000 written any way a page or a source file could: "3000", "3 000", "3,000", "3.000".
THREE_THOUSAND = re.compile(r"(?<![\d.,])3[\s\u00a0\u202f,.]?000(?![\d])")


def french_number(value):
    with translation.override("fr"):
        return formats.number_format(value, 0, force_grouping=True)


def page(client, name, shop, **headers):
    response = client.get(reverse(f"lightsoff:{name}", args=[shop.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def lit(kind="", size="", **shop_fields):
    shop = ShopFactory(**shop_fields)
    SightingFactory(shop=shop, lit_kind=kind, size=size)
    return shop


# --- The fines ----------
def test_the_fines_are_1500_and_7500_euros_and_no_repeat_fine_is_shown(client):
    assert [fine.value for fine in constants.FINES] == [Decimal(1500), Decimal(7500)]
    shop = lit(constants.LIT_WINDOW)
    kit = page(client, "shop", shop)
    letter = page(client, "letter", shop)
    english = page(client, "shop", shop, HTTP_ACCEPT_LANGUAGE="en")
    for text in (kit, letter, english):
        assert not THREE_THOUSAND.search(text), THREE_THOUSAND.search(text)
        assert "132-11" not in text
    assert f"<strong>{french_number(1500)} €</strong>" in kit
    assert f"<strong>{french_number(7500)} €</strong>" in kit
    assert "(personne physique)" in kit and "personne morale" in kit
    assert f"{french_number(1500)} € au plus pour une personne physique" in letter
    assert f"{french_number(7500)} € pour une personne morale" in letter
    assert "Natural person" not in kit  # the French page speaks French


def test_the_fines_cite_their_texts_and_dates(client):
    kit = page(client, "shop", lit(constants.LIT_WINDOW))
    assert "article R583-7" in kit
    assert "décret n° 2023-1021 du 3 novembre 2023" in kit
    assert "article 131-13" in kit and "article 131-41" in kit
    english = page(client, "shop", lit(constants.LIT_WINDOW), HTTP_ACCEPT_LANGUAGE="en")
    assert "decree no. 2023-1021 of 3 November 2023" in english


def test_no_template_or_figure_module_mentions_a_3000_euro_fine():
    root = Path(settings.BASE_DIR)
    files = [
        root / "lightsoff" / "constants.py",
        root / "lightsoff" / "texts.py",
        *(root / "templates" / "lightsoff").rglob("*.html"),
        *(root / "templates" / "lightsoff").rglob("*.txt"),
    ]
    for path in files:
        found = THREE_THOUSAND.search(path.read_text())
        assert not found, f"{path}: {found.group()}"


# --- Windows and signs ----------
def test_a_sign_may_be_lit_again_from_6_h_a_window_from_7_h():
    six_thirty = datetime.datetime(2024, 12, 3, 6, 30, tzinfo=PARIS)
    assert legality(six_thirty, kind=constants.LIT_WINDOW).must_be_off
    assert legality(six_thirty).must_be_off  # the windows' rule by default
    assert not legality(six_thirty, kind=constants.LIT_SIGN).must_be_off
    assert legality(six_thirty, kind=constants.LIT_BOTH).must_be_off
    assert legality(six_thirty, kind=constants.LIT_SIGN).dark_hours == 5
    assert legality(six_thirty, kind=constants.LIT_WINDOW).dark_hours == 6


def test_a_sign_and_a_window_get_their_own_rule_and_hours_in_the_kit(client):
    window = page(client, "shop", lit(constants.LIT_WINDOW))
    sign = page(client, "shop", lit(constants.LIT_SIGN))
    assert "les vitrines doivent être éteintes de 01:00 à 07:00" in window
    assert "l'enseigne doit être éteinte de 01:00 à 06:00" in sign
    assert "27 décembre 2018" in window and 'data-testid="rule-sign"' not in window
    assert "R581-59" in sign and 'data-testid="rule-window"' not in sign
    # Hours in breach per night: 6 for the window, 5 for the sign.
    assert "allumé 6 h par nuit en moyenne" in window
    assert "allumé 5 h par nuit en moyenne" in sign
    # The ready messages cite the sign's article, not the windows' order.
    assert "L&#x27;article R581-59 du code de l&#x27;environnement impose" in sign
    assert "Depuis l&#x27;arrêté du 27 décembre 2018, les vitrines" in window


def test_the_letter_cites_the_rule_of_what_was_lit(client):
    window = page(client, "letter", lit(constants.LIT_WINDOW))
    sign = page(client, "letter", lit(constants.LIT_SIGN))
    both = page(client, "letter", lit(constants.LIT_BOTH))
    assert 'data-testid="letter-rule-window"' in window
    assert 'data-testid="letter-rule-sign"' not in window
    assert "R581-59" in sign and 'data-testid="letter-rule-window"' not in sign
    assert 'data-testid="letter-rule-window"' in both and 'data-testid="letter-rule-sign"' in both
    for letter in (window, sign, both):
        assert "dérogation" in letter


def test_the_kit_mentions_the_prefectoral_exceptions(client):
    kit = page(client, "shop", lit(constants.LIT_WINDOW))
    assert "le préfet peut autoriser" in kit


def test_a_shop_without_an_answer_shows_both_rules(client):
    kit = page(client, "shop", ShopFactory())
    assert 'data-testid="rule-window"' in kit and 'data-testid="rule-sign"' in kit


# --- The estimate ----------
def expected(size, hours_per_night):
    kwh = (
        constants.POWER_KW[size].value
        * Decimal(str(hours_per_night))
        * constants.NIGHTS_PER_YEAR.value
    )
    return kwh, kwh * constants.PRICE_EUR_PER_KWH.value, kwh * constants.CO2_KG_PER_KWH.value


def test_the_estimate_follows_the_size_the_reporter_picked(client):
    small = selectors.estimate_for_shop(lit(constants.LIT_WINDOW, constants.SIZE_SMALL))
    large = selectors.estimate_for_shop(lit(constants.LIT_WINDOW, constants.SIZE_LARGE))
    unknown = selectors.estimate_for_shop(lit(constants.LIT_WINDOW, ""))
    default_hours = constants.LIGHTS_ON_FROM_HOUR - constants.LIGHTS_OFF_FROM_HOUR
    assert (small.kwh, small.eur, small.co2_kg) == expected(constants.SIZE_SMALL, default_hours)
    assert (large.kwh, large.eur, large.co2_kg) == expected(constants.SIZE_LARGE, default_hours)
    assert unknown.kwh == expected(constants.SIZE_FRONT, default_hours)[0]
    assert small.kwh < unknown.kwh < large.kwh
    assert not unknown.size_known and unknown.size == constants.SIZE_FRONT


def test_the_estimate_follows_the_opening_hours(client):
    # Closes at 2 h: dark from 3 h (one hour later) to 7 h, 4 hours a night.
    late = lit(constants.LIT_WINDOW, constants.SIZE_FRONT, opening_hours="Mo-Su 08:00-02:00")
    estimate = selectors.estimate_for_shop(late)
    assert estimate.hours_per_night == 4 and estimate.uses_opening_hours
    kwh, eur, co2 = expected(constants.SIZE_FRONT, 4)
    assert (estimate.kwh, estimate.eur, estimate.co2_kg) == (kwh, eur, co2)
    kit = page(client, "shop", late)
    assert f"{french_number(kwh)} kWh" in kit
    assert "allumé 4 h par nuit en moyenne" in kit
    assert "Les heures en infraction suivent ses horaires d'ouverture." in kit


def test_late_nights_at_the_weekend_shorten_the_mean_hours_in_breach():
    hours, known = mean_dark_hours(
        "Mo-Th 09:00-19:00; Fr-Sa 09:00-02:00", start=datetime.date(2024, 12, 1)
    )
    # Five nights dark from 1 h to 7 h; Friday's and Saturday's from 3 h to 7 h.
    assert known and hours == pytest.approx((5 * 6 + 2 * 4) / 7)


def test_unknown_hours_are_said_and_the_default_rule_used(client):
    kit = page(client, "shop", lit(constants.LIT_WINDOW, opening_hours="n'importe quoi"))
    assert "Ses horaires d'ouverture sont inconnus : les heures en infraction" in kit
    assert "allumé 6 h par nuit en moyenne" in kit


def test_the_latest_sighting_s_answers_count():
    shop = ShopFactory()
    SightingFactory(
        shop=shop,
        lit_kind=constants.LIT_WINDOW,
        size=constants.SIZE_SMALL,
        seen_at=timezone.now() - datetime.timedelta(days=2),
    )
    SightingFactory(shop=shop, lit_kind=constants.LIT_SIGN, size=constants.SIZE_LARGE)
    SightingFactory(shop=shop, lit=False)  # a night check asks nothing
    estimate = selectors.estimate_for_shop(shop)
    assert (estimate.lit_kind, estimate.size) == (constants.LIT_SIGN, constants.SIZE_LARGE)


def test_the_national_figure_is_shown_with_its_source(client):
    kit = page(client, "shop", lit(constants.LIT_WINDOW))
    assert f"<strong>{french_number(250000)} t CO₂</strong>" in kit
    assert (
        "ministère de l&#x27;Écologie, du Développement durable et de l&#x27;Énergie, 2013" in kit
    )


# --- The report form ----------
def report_data(**overrides):
    data = {
        "latitude": "48.856600",
        "longitude": "2.352200",
        "name": "Opticien du Marais",
        "seen_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "lit_kind": constants.LIT_SIGN,
        "size": constants.SIZE_LARGE,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_report_form_asks_what_was_lit_with_no_answer_ticked(client):
    html = client.get(reverse("lightsoff:report")).content.decode()
    radios = re.findall(r'<input type="radio" name="lit_kind"[^>]*>', html)
    assert len(radios) == 3 and not any("checked" in r for r in radios)
    assert "<legend>Qu&#x27;est-ce qui était allumé ?" in html
    # The size defaults to "I don't know".
    assert re.search(r'<input type="radio" name="size" value=""[^>]*checked', html)


def test_a_report_without_what_was_lit_is_refused_next_to_the_field(client):
    response = client.post(reverse("lightsoff:report"), report_data(lit_kind=None))
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'<ul class="errorlist" id="id_lit_kind_error"><li>(.*?)</li>', html)
    assert error and error.group(1) == (
        "Dites ce qui était allumé : la vitrine, une enseigne, ou les deux."
    )
    assert not Sighting.objects.exists()


def test_a_report_keeps_what_was_lit_and_the_size(client):
    response = client.post(reverse("lightsoff:report"), report_data())
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    assert (sighting.lit_kind, sighting.size) == (constants.LIT_SIGN, constants.SIZE_LARGE)


def test_a_report_with_an_unknown_size_assumes_a_shop_front(client):
    client.post(reverse("lightsoff:report"), report_data(size=""))
    sighting = Sighting.objects.get()
    assert sighting.size == ""
    assert selectors.estimate_for_shop(sighting.shop).size == constants.SIZE_FRONT
