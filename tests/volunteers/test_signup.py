import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD
from volunteers.models import User

pytestmark = pytest.mark.django_db


def _sign_up(client, **extra):
    data = {"email": "lea@example.org", "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post(reverse("account_signup"), data)


def test_signing_up_without_consent_says_so_next_to_the_box_and_keeps_the_email(client):
    response = _sign_up(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vous devez accepter la politique de confidentialité" in html
    assert 'value="lea@example.org"' in html
    assert not User.objects.filter(email="lea@example.org").exists()


def test_the_consent_box_links_to_the_privacy_notice(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'name="consent"' in html
    assert f'href="{reverse("page", args=["privacy"])}"' in html


def test_signing_up_records_the_notice_version_and_date(client, settings):
    settings.PRIVACY_NOTICE_VERSION = 3
    response = _sign_up(client, consent="on")
    assert response.status_code == 302
    profile = User.objects.get(email="lea@example.org").profile
    assert profile.consent_version == 3
    assert profile.consented_at is not None


def test_confirming_the_email_leads_to_the_onboarding(client, settings):
    _sign_up(client, consent="on")
    site = re.escape(settings.SITE_URL)
    link = re.search(rf"{site}(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:onboarding")
    assert client.get(response["Location"]).status_code == 200
