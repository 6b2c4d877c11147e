"""The LightsOff pages' markup, as the Nu HTML checker and a screen reader read it: ids
that are unique, help texts and errors tied to their fields, radio groups with a legend,
machine-readable dates."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ContactActionFactory, ShopFactory, SightingFactory, UserFactory

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes), and the text of each legend."""

    def __init__(self, page):
        super().__init__()
        self.tags, self.legends, self._in_legend = [], [], False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "legend":
            self._in_legend = True
            self.legends.append("")

    def handle_endtag(self, tag):
        if tag == "legend":
            self._in_legend = False

    def handle_data(self, data):
        if self._in_legend:
            self.legends[-1] += data

    def ids(self):
        return [attrs["id"] for _tag, attrs in self.tags if attrs.get("id")]


def _kit(client, **post):
    shop = ShopFactory(name="Pharmacie du Marché")
    moment = timezone.now().replace(microsecond=123456)
    SightingFactory(shop=shop, seen_at=moment)
    ContactActionFactory(shop=shop, done_at=moment)
    if post:
        url, data = post["url"], post["data"]
        return client.post(reverse(url, args=[shop.pk]), data).content.decode()
    return client.get(shop.get_absolute_url()).content.decode()


def test_no_two_elements_of_the_kit_share_an_id(client):
    ids = Elements(_kit(client)).ids()
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    # Each form's honeypot has its own.
    assert {"contact_website", "check_website", "subscribe_website"} <= set(ids)


def test_every_aria_describedby_of_the_kit_points_at_an_element(client):
    elements = Elements(_kit(client))
    ids = set(elements.ids())
    described = [
        (attrs.get("id") or attrs.get("name"), ref)
        for _tag, attrs in elements.tags
        for ref in attrs.get("aria-describedby", "").split()
    ]
    assert ("subscribe_email", "subscribe_email_helptext") in described
    assert all(ref in ids for _field, ref in described), described


def test_a_field_with_errors_is_described_by_its_help_and_its_error(client):
    page = _kit(client, url="lightsoff:subscribe", data={"email": "not an e-mail"})
    elements = Elements(page)
    email = next(attrs for tag, attrs in elements.tags if attrs.get("id") == "subscribe_email")
    assert email["aria-describedby"].split() == [
        "subscribe_email_helptext",
        "subscribe_email_error",
    ]
    assert email["aria-invalid"] == "true"
    assert {"subscribe_email_helptext", "subscribe_email_error"} <= set(elements.ids())


def test_the_report_form_ties_the_photo_help_text_to_its_field(client):
    elements = Elements(client.get(reverse("lightsoff:report")).content.decode())
    photo = next(attrs for tag, attrs in elements.tags if attrs.get("id") == "id_photo")
    assert photo["aria-describedby"] == "id_photo_helptext"
    assert "id_photo_helptext" in elements.ids()


def test_the_radio_group_is_a_fieldset_with_a_legend_and_no_empty_label(client):
    page = _kit(client)
    elements = Elements(page)
    assert "Qu'avez-vous vu ?" in [legend.replace("*", "").strip() for legend in elements.legends]
    assert not [a for tag, a in elements.tags if tag == "label" and a.get("for", None) == ""]
    legend = r"<legend>Qu&#x27;avez-vous vu \?"
    group = re.search(rf"<fieldset[^>]*>\s*{legend}.*?</fieldset>", page, re.S)
    assert 'type="radio"' in group.group(0)


def test_the_history_dates_are_valid_datetime_values(client):
    datetimes = [a["datetime"] for tag, a in Elements(_kit(client)).tags if tag == "time"]
    assert len(datetimes) == 2
    for value in datetimes:
        # HTML's global date and time: seconds at most three decimals; none here.
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:?\d\d", value), value


def test_the_round_form_gives_its_date_input_an_iso_date(client):
    """type="date" takes 2026-12-02, not the French 02/12/2026 (the browser shows it empty)."""
    client.force_login(UserFactory())
    elements = Elements(client.get(reverse("lightsoff:rounds")).content.decode())
    date = next(attrs for tag, attrs in elements.tags if attrs.get("type") == "date")
    assert date["value"] == timezone.localdate().isoformat()


@pytest.mark.parametrize("url_name", ["lightsoff:index", "lightsoff:report", "lightsoff:stats"])
def test_the_night_pages_tell_the_browser_they_are_dark(client, url_name):
    """Native controls (date pickers, selects, scrollbars) then follow the night theme."""
    page = client.get(reverse(url_name)).content.decode()
    assert '<meta name="color-scheme" content="dark">' in page
    assert '<body class="night' in page
