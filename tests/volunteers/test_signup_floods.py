"""Sign-up sends e-mail to addresses typed by strangers: a low ceiling per address, the
honeypot of the LightsOff forms, one verification e-mail per address per hour."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from volunteers.models import User

pytestmark = pytest.mark.django_db


def sign_up(client, email, ip="203.0.113.20", **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"}
    return client.post(reverse("account_signup"), {**data, **extra}, REMOTE_ADDR=ip)


def test_ten_sign_ups_an_hour_from_one_address_then_the_form_says_wait(client):
    for n in range(10):
        client.logout()
        assert sign_up(client, f"flood{n}@example.org").status_code == 302
    client.logout()
    response = sign_up(client, "flood10@example.org")
    assert response.status_code == 429
    assert "Trop de demandes depuis votre connexion" in response.content.decode()
    assert User.objects.filter(email__startswith="flood").count() == 10
    assert len(mail.outbox) == 10
    # Another address is not held back by this one.
    client.logout()
    assert sign_up(client, "other@example.org", ip="198.51.100.3").status_code == 302


def signup_ceiling(settings, per_hour):
    """What SIGNUPS_PER_IP_PER_HOUR sets when the settings are read."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": f"{per_hour}/1h/ip"}


def test_the_default_ceiling_is_ten_an_hour_per_address(settings):
    assert settings.SIGNUPS_PER_IP_PER_HOUR == 10
    assert settings.ACCOUNT_RATE_LIMITS["signup"] == "10/1h/ip"


def test_a_lower_ceiling_holds_from_the_first_sign_up_over_it(client, settings):
    signup_ceiling(settings, 2)
    assert sign_up(client, "a@example.org").status_code == 302
    client.logout()
    assert sign_up(client, "b@example.org").status_code == 302
    client.logout()
    assert sign_up(client, "c@example.org").status_code == 429


def test_behind_the_proxy_the_visitor_is_counted_not_what_they_write(client, settings):
    settings.TRUSTED_PROXIES = 1
    signup_ceiling(settings, 1)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = client.post(
        reverse("account_signup"),
        {"email": "x1@example.org", "password1": PASSWORD, "password2": PASSWORD, "consent": 1},
        HTTP_X_FORWARDED_FOR="203.0.113.50",
        **proxy,
    )
    assert first.status_code == 302
    client.logout()
    # A forged address on the left changes nothing: the proxy appended the real one.
    second = client.post(
        reverse("account_signup"),
        {"email": "x2@example.org", "password1": PASSWORD, "password2": PASSWORD, "consent": 1},
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50",
        **proxy,
    )
    assert second.status_code == 429


def test_a_robot_filling_the_honeypot_gets_no_account_and_no_email(client):
    response = sign_up(client, "bot@example.org", website="http://spam.example")
    assert response.status_code == 200
    assert not User.objects.filter(email="bot@example.org").exists()
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'class="honeypot"' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html


def test_no_second_verification_email_to_the_same_address_within_the_hour(client, monkeypatch):
    import time

    from allauth.core.internal import ratelimit

    assert sign_up(client, "twice@example.org").status_code == 302
    # Ten minutes later (allauth's own cooldown is three), the new account asks again.
    later = time.time() + 600
    monkeypatch.setattr(ratelimit.time, "time", lambda: later)
    client.post(reverse("account_login"), {"login": "twice@example.org", "password": PASSWORD})
    client.logout()
    client.post(reverse("account_login"), {"login": "twice@example.org", "password": PASSWORD})
    to_twice = [m for m in mail.outbox if "twice@example.org" in m.to]
    assert len(to_twice) == 1


def test_signing_up_again_with_a_known_address_mails_it_once_an_hour(client):
    UserFactory(email="known@example.org")
    for ip in ("203.0.113.61", "203.0.113.62", "203.0.113.63"):
        client.logout()
        sign_up(client, "known@example.org", ip=ip)
    assert len([m for m in mail.outbox if "known@example.org" in m.to]) <= 1
