"""Every absolute link the platform writes, and the name it signs with, come from
SITE_URL: the Sites record follows it at each `migrate`, and allauth's e-mails use it."""

import re

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PUBLIC = "https://reserve.example.org"


def _deploy_with(settings, site_url):
    settings.SITE_URL = site_url
    # The last step of `migrate`, which a deployment (and `make run`) runs before serving.
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


def test_migrate_writes_site_url_and_the_platform_name_into_the_site(settings):
    _deploy_with(settings, PUBLIC)
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("reserve.example.org", "Réserve")
    _deploy_with(settings, "http://127.0.0.1:8101")
    assert Site.objects.get_current().domain == "127.0.0.1:8101"


def test_the_sign_up_e_mail_names_reserve_and_links_to_site_url(client, settings):
    _deploy_with(settings, PUBLIC)
    # The request comes through another host name: it must not leak into the e-mail.
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nina@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    [message] = mail.outbox
    text = message.subject + message.body
    assert "Réserve" in message.body
    assert "localhost" not in text
    assert "example.com" not in text
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(link.startswith(f"{PUBLIC}/") for link in links), links
    assert any("/accounts/confirm-email/" in link for link in links)


def test_the_password_reset_link_comes_from_site_url(client, settings):
    from tests.factories import UserFactory

    _deploy_with(settings, PUBLIC)
    UserFactory(email="marie@example.org")
    client.post(
        reverse("account_reset_password"), {"email": "marie@example.org"}, HTTP_HOST="localhost"
    )
    [message] = mail.outbox
    assert "localhost" not in message.body
    assert f"{PUBLIC}/accounts/password/reset/key/" in message.body
