"""The second factor of coordinators: the admin login goes through allauth (password, then
TOTP), and with REQUIRE_STAFF_MFA every page but the account pages asks for it — not only
the admin: the directory and its CSV export, call-up progress, anything added later."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories import PASSWORD, CoordinatorFactory, ModeratorFactory, UserFactory
from tests.helpers import url_paths

pytestmark = pytest.mark.django_db

# Pages that a coordinator reaches without a second factor: the way to get one.
EXEMPT = ("/accounts/", "/static/", "/media/", "/i18n/", "/healthz", "/pages/", "/favicon.ico")


def totp_code(secret):
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def enrolled_coordinator():
    coordinator = CoordinatorFactory()
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    return coordinator, secret


def login_with_totp(client, user, secret):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content


@pytest.fixture
def mfa_required(settings):
    settings.REQUIRE_STAFF_MFA = True


def test_the_admin_login_page_hands_over_to_allauths_login(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=%2Fadmin%2F" in response["Location"]


def test_a_password_posted_to_the_admin_login_opens_no_session(client, mfa_required):
    coordinator, _secret = enrolled_coordinator()
    response = client.post(
        reverse("admin:login"), {"username": coordinator.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_password_alone_leads_to_the_code_not_the_admin(client, mfa_required):
    coordinator, secret = enrolled_coordinator()
    client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_coordinator_without_a_second_factor_is_sent_to_enrol_from_every_page(
    client, mfa_required
):
    client.force_login(CoordinatorFactory())
    walked = [path for path in url_paths() if not path.startswith(EXEMPT)]
    # The pages the probe found open, and what they stand for, are in the walk.
    for page in (
        reverse("volunteers:directory"),
        reverse("volunteers:directory_csv"),
        reverse("admin:missions_mobilization_progress", args=[1]),
        reverse("admin:missions_mobilization_responsiveness"),
        reverse("admin:index"),
    ):
        assert page in walked
    enrol = reverse("mfa_activate_totp")
    wrong = {}
    for path in walked:
        response = client.get(path)
        if response.status_code != 302 or not response["Location"].startswith(enrol):
            wrong[path] = response.status_code
    assert wrong == {}
    assert len(walked) > 150


def test_an_enrolled_coordinator_whose_session_skipped_the_code_is_asked_for_it(
    client, mfa_required
):
    coordinator, secret = enrolled_coordinator()
    client.force_login(coordinator)  # a session opened without the second factor
    for name in ("volunteers:directory", "volunteers:directory_csv", "admin:index"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    # The code is asked once; then the pages open, and the CSV holds the data.
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert client.get(reverse("volunteers:directory")).status_code == 200
    response = client.get(reverse("volunteers:directory_csv"))
    assert response.status_code == 200
    assert coordinator.email in response.content.decode()


def test_after_logging_in_with_the_code_every_coordinator_page_opens(client, mfa_required):
    coordinator, secret = enrolled_coordinator()
    login_with_totp(client, coordinator, secret)
    for name in ("volunteers:directory", "volunteers:directory_csv", "admin:index"):
        assert client.get(reverse(name)).status_code == 200
    response = client.get(reverse("admin:missions_mobilization_responsiveness"))
    assert response.status_code == 200


def test_moderators_need_the_second_factor_too(client, mfa_required):
    client.force_login(ModeratorFactory())
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_volunteers_are_not_asked_for_a_second_factor(client, mfa_required):
    client.force_login(UserFactory())
    assert client.get(reverse("volunteers:index")).status_code == 200
    assert client.get(reverse("volunteers:directory")).status_code == 403


def test_the_way_out_and_the_enrolment_stay_open(client, mfa_required):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before showing the secret: not the wall.
    assert not response.get("Location", "").startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("healthz")).status_code in (200, 503)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_enrolling_opens_the_pages_without_typing_a_second_code(client, mfa_required):
    # Transactional: allauth announces the new authenticator on commit, inside the request.
    coordinator = CoordinatorFactory()
    client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
    assert client.get(reverse("volunteers:directory"))["Location"].startswith(
        reverse("mfa_activate_totp")
    )
    # allauth asks for the password again before it shows a secret.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("volunteers:directory")).status_code == 200
