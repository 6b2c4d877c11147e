import subprocess
import sys

import pytest
from django.urls import reverse

from tests.factories import CoordinatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_loads_without_geodjango():
    """django-leaflet's admin imports GeoDjango (needs GDAL): it must never be imported."""
    code = (
        "import django, sys; django.setup();"
        "from django.test import Client; from django.urls import reverse;"
        "import django.contrib.admin as a; a.site.get_urls();"
        "bad = [m for m in sys.modules if m.startswith(('django.contrib.gis', 'leaflet.admin'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_registers_its_models_in_the_admin():
    from django.contrib import admin

    labels = {model._meta.label for model in admin.site._registry}
    for label in (
        "volunteers.Profile",
        "projects.Project",
        "missions.Mobilization",
        "lightsoff.Shop",
    ):
        assert label in labels


def test_coordinator_reaches_the_admin(client):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200


def test_a_volunteer_is_kept_out_of_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_totp_enrolment_page_renders(client):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks to reauthenticate first, or shows the QR code page.
    assert response.status_code in (200, 302)
