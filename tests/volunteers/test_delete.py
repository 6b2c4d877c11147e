import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    AlertFactory,
    AvailabilityFactory,
    MembershipFactory,
    ProfileSkillFactory,
    UserFactory,
)
from volunteers import privacy
from volunteers.models import Profile, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer():
    user = UserFactory(
        email="lea@example.org",
        profile__display_name="Léa Martin",
        profile__bio="Développeuse",
        profile__phone="+33612345678",
        profile__alert_by_sms=True,
        profile__departement="75",
        profile__employer="Octo",
        profile__github_url="https://github.com/lea",
        profile__tags=["Django"],
        profile__crisis_opt_in=True,
    )
    ProfileSkillFactory(profile=user.profile)
    AvailabilityFactory(profile=user.profile)
    return user


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(reverse("volunteers:delete"), {"confirm": "on"})
    assert response["Location"].startswith(reverse("account_login"))


def test_deleting_needs_the_confirmation_box(client, volunteer):
    client.force_login(volunteer)
    response = client.post(reverse("volunteers:delete"))
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert User.objects.get(pk=volunteer.pk).email == "lea@example.org"


def test_deleting_erases_personal_data_and_logs_out(client, volunteer):
    client.force_login(volunteer)
    response = client.post(reverse("volunteers:delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.is_anonymous

    user = User.objects.get(pk=volunteer.pk)
    assert user.email != "lea@example.org" and "lea" not in user.email
    assert not user.is_active
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    profile = Profile.objects.get(user=user)
    for field in ("display_name", "bio", "phone", "departement", "region", "employer"):
        assert getattr(profile, field) == "", field
    assert profile.github_url == "" and profile.tags == [] and not profile.crisis_opt_in
    assert profile.status == Profile.Status.ARCHIVED and profile.anonymised_at
    assert not profile.profile_skills.exists()
    assert not profile.availabilities.exists()


def test_the_account_cannot_log_in_again(client, volunteer):
    client.force_login(volunteer)
    client.post(reverse("volunteers:delete"), {"confirm": "on"})
    response = client.post(
        reverse("account_login"), {"login": "lea@example.org", "password": PASSWORD}
    )
    assert client.get("/").wsgi_request.user.is_anonymous
    assert response.status_code == 200


def test_other_peoples_rows_keep_their_counts(client, volunteer):
    membership = MembershipFactory(volunteer=volunteer)
    alert = AlertFactory(volunteer=volunteer, response="accepted")
    members_before = membership.project.memberships.count()
    client.force_login(volunteer)
    client.post(reverse("volunteers:delete"), {"confirm": "on"})
    # The rows stay (anonymised): a project's history and the call-up statistics hold.
    membership.refresh_from_db()
    alert.refresh_from_db()
    assert membership.volunteer_id in (volunteer.pk, None)
    assert membership.project.memberships.count() == members_before
    assert alert.mobilization.alerts.filter(response="accepted").count() == 1
    assert User.objects.filter(pk=volunteer.pk).exists()


def test_every_registered_eraser_runs_in_the_deletion(client, volunteer, monkeypatch):
    monkeypatch.setattr(privacy, "_erasers", dict(privacy._erasers))
    erased = []
    privacy.register_eraser("testapp", lambda user: erased.append(user.email))
    client.force_login(volunteer)
    client.post(reverse("volunteers:delete"), {"confirm": "on"})
    assert erased == ["lea@example.org"]  # called before the account is anonymised


def test_a_failing_eraser_leaves_the_account_untouched(client, volunteer, monkeypatch):
    monkeypatch.setattr(privacy, "_erasers", dict(privacy._erasers))

    def broken(user):
        raise RuntimeError("disk full")

    privacy.register_eraser("zz-broken", broken)
    from volunteers.services import delete_account

    with pytest.raises(RuntimeError):
        delete_account(user=volunteer)
    assert User.objects.get(pk=volunteer.pk).email == "lea@example.org"
    assert Profile.objects.get(user=volunteer).display_name == "Léa Martin"
