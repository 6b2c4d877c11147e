import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import ProjectFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_is_in_french_by_default_and_leads_to_the_three_journeys(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Rejoindre la réserve" in html
    for url in (reverse("account_signup"), reverse("projects:index"), reverse("lightsoff:index")):
        assert f'href="{url}"' in html


def test_home_shows_live_counts(client):
    UserFactory.create_batch(3)
    ProjectFactory()  # open, its lead is a fourth volunteer
    ShopFactory.create_batch(2)
    response = client.get("/")
    counts = {key: value for key, _label, value in response.context["counts"]}
    assert counts["volunteers"] == 4
    assert counts["projects_open"] == 1
    assert counts["shops"] == 2


def test_switching_to_english_translates_the_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Join the reserve" in html
    assert "Rejoindre la réserve" not in html


def test_unknown_page_gets_a_friendly_404(client, settings):
    settings.DEBUG = False
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.parametrize("slug", ["about", "legal", "privacy", "accessibility"])
def test_static_pages_exist_in_both_languages(client, slug):
    french = client.get(reverse("page", args=[slug]))
    assert french.status_code == 200
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("page", args=[slug]))
    assert english.status_code == 200
    assert french.context["flatpage"].url == f"/fr/{slug}/"
    assert english.context["flatpage"].url == f"/en/{slug}/"


def test_a_page_edited_in_the_admin_shows_without_a_deploy(client):
    from django.contrib.flatpages.models import FlatPage

    FlatPage.objects.filter(url="/fr/about/").update(content="<p>Texte mis à jour</p>")
    assert "Texte mis à jour" in client.get(reverse("page", args=["about"])).content.decode()


def test_unknown_page_slug_is_a_404(client):
    assert client.get("/pages/secret/").status_code == 404


def _count_text(response, key):
    html = response.content.decode()
    item = re.search(rf'<li data-count="{key}">(.*?)</li>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", item).split())


def test_home_counts_agree_with_their_number_in_french(client):
    ProjectFactory(status="delivered")  # its lead is the one volunteer
    page = client.get("/")
    assert _count_text(page, "volunteers") == "1 réserviste"
    assert _count_text(page, "projects_delivered") == "1 projet livré"
    assert _count_text(page, "projects_open") == "0 projet ouvert aux réservistes"
    ProjectFactory(status="delivered")
    cache.clear()  # the counts are cached a minute
    page = client.get("/")
    assert _count_text(page, "volunteers") == "2 réservistes"
    assert _count_text(page, "projects_delivered") == "2 projets livrés"


def test_the_lit_shops_count_agrees_with_its_number_in_french(client):
    from tests.factories import SightingFactory

    SightingFactory()
    assert _count_text(client.get("/"), "shops") == "1 commerce éclairé signalé"
    SightingFactory()
    cache.clear()  # the counts are cached a minute
    assert _count_text(client.get("/"), "shops") == "2 commerces éclairés signalés"
