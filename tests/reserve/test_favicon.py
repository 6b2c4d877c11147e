"""Browsers ask /favicon.ico of every page that names no icon: never a 404."""

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")  # asked by the admin's pages and feed readers
    assert response.status_code == 302
    assert response["Location"].startswith("/static/favicon")
    assert response["Location"].endswith(".svg")
    assert "max-age=86400" in response["Cache-Control"]


def test_admin_pages_name_the_icon(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/").content.decode()
    assert 'rel="icon"' in html
    assert "favicon" in html
