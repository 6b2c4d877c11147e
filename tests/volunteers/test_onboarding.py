import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, skill
from volunteers.models import Availability, Profile

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _answers(**extra):
    return {
        "skills": [skill("design-ux").pk, skill("redaction").pk],
        "level": "3",
        "available_from": (TODAY + datetime.timedelta(days=5)).isoformat(),
        "available_until": (TODAY + datetime.timedelta(days=23)).isoformat(),
        "hours_per_week": "30",
        "departement": "69",
        "crisis_opt_in": "on",
        **extra,
    }


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("volunteers:onboarding"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_home_page_shows_a_completeness_hint_until_the_onboarding_is_done(client):
    user = UserFactory()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'data-testid="profile-hint"' in html
    assert reverse("volunteers:onboarding") in html

    response = client.post(reverse("volunteers:onboarding"), _answers())
    assert response.status_code == 302
    assert 'data-testid="profile-hint"' not in client.get("/").content.decode()


def test_onboarding_saves_skills_period_region_and_opt_in(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("volunteers:onboarding"), _answers())
    profile = Profile.objects.get(user=user)
    assert {ps.skill.slug: ps.level for ps in profile.profile_skills.all()} == {
        "design-ux": 3,
        "redaction": 3,
    }
    period = profile.availabilities.get()
    assert (period.starts_on.day, period.hours_per_week) == (
        (TODAY + datetime.timedelta(days=5)).day,
        30,
    )
    assert period.kind == Availability.Kind.AVAILABLE
    assert (profile.departement, profile.region) == ("69", "84")
    assert profile.crisis_opt_in and profile.alert_by_email
    assert profile.onboarding_completed_at is not None


def test_submitting_twice_adds_nothing_twice(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("volunteers:onboarding"), _answers())
    client.post(reverse("volunteers:onboarding"), _answers())
    profile = Profile.objects.get(user=user)
    assert profile.profile_skills.count() == 2
    assert profile.availabilities.count() == 1


def test_skipping_leaves_the_hint_on_the_home_page(client):
    client.force_login(UserFactory())
    html = client.get(reverse("volunteers:onboarding")).content.decode()
    assert f'href="{reverse("volunteers:index")}"' in html  # "skip for now"
    assert 'data-testid="profile-hint"' in client.get("/").content.decode()


def test_a_period_ending_before_it_starts_is_refused_next_to_the_field(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("volunteers:onboarding"),
        _answers(available_until=(TODAY + datetime.timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["available_until"] == [
        "La date de fin est antérieure à la date de début."
    ]
    assert 'value="30"' in response.content.decode()  # what was typed is kept


def test_a_period_in_the_past_is_refused(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("volunteers:onboarding"),
        _answers(
            available_from=(TODAY - datetime.timedelta(days=20)).isoformat(),
            available_until=(TODAY - datetime.timedelta(days=10)).isoformat(),
        ),
    )
    assert "available_until" in response.context["form"].errors


def test_one_date_alone_is_refused(client):
    client.force_login(UserFactory())
    response = client.post(reverse("volunteers:onboarding"), _answers(available_until=""))
    assert "available_until" in response.context["form"].errors


def test_coming_back_to_the_onboarding_keeps_earlier_choices(client):

    user = UserFactory(profile__crisis_opt_in=True, profile__departement="35")
    client.force_login(user)
    form = client.get(reverse("volunteers:onboarding")).context["form"]
    assert form["crisis_opt_in"].value() is True
    assert form["departement"].value() == "35"
