import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _link(message, pattern):
    return re.search(pattern, message.body).group(0)


def test_sign_up_requires_verifying_the_email_address(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Nouvelle@Example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    confirm_url = _link(mail.outbox[0], r"http://[^\s]+/accounts/confirm-email/[^\s]+/")

    # Not logged in before verifying.
    assert client.get(reverse("volunteers:index")).wsgi_request.user.is_anonymous

    path = urlsplit(confirm_url).path
    assert client.get(path).status_code == 200  # GET only shows a confirm button
    response = client.post(path)
    assert response.status_code == 302
    from volunteers.models import User

    user = User.objects.get(email="nouvelle@example.org")
    assert user.emailaddress_set.get().verified
    assert client.get("/").wsgi_request.user == user
    assert user.profile is not None


def test_login_is_by_email(client):
    user = UserFactory(email="marie@example.org")
    response = client.post(
        reverse("account_login"), {"login": "marie@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == user


def test_wrong_password_says_so_next_to_the_form_in_french(client):
    UserFactory(email="marie@example.org")
    response = client.post(
        reverse("account_login"), {"login": "marie@example.org", "password": "nope"}
    )
    assert response.status_code == 200
    assert "incorrect" in response.content.decode()


def test_password_reset_sends_a_link(client):
    UserFactory(email="marie@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "marie@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.is_anonymous
