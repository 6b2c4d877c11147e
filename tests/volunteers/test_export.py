import json

import pytest
from django.urls import reverse

from tests.factories import AvailabilityFactory, ProfileSkillFactory, UserFactory
from volunteers import privacy

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("volunteers:export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_export_is_a_json_download_of_my_profile(client):
    user = UserFactory(
        profile__display_name="Léa",
        profile__phone="+33612345678",
        profile__tags=["Django"],
    )
    ProfileSkillFactory(profile=user.profile)
    AvailabilityFactory(profile=user.profile, hours_per_week=30)
    UserFactory(profile__display_name="Someone Else")
    client.force_login(user)
    response = client.get(reverse("volunteers:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email
    assert data["account"]["email_addresses"][0]["verified"] is True
    profile = data["profile"]
    assert profile["display_name"] == "Léa"
    assert profile["phone"] == "+33612345678"
    assert profile["skills"][0]["skill"] == "developpement-backend"
    assert profile["availabilities"][0]["hours_per_week"] == 30
    assert profile["privacy_notice_version"] == 1
    assert "Someone Else" not in response.content.decode()


def test_the_export_includes_what_other_apps_registered(client, monkeypatch):
    monkeypatch.setattr(privacy, "_exporters", dict(privacy._exporters))
    privacy.register_exporter("testapp", lambda user: [{"owner": user.email}])
    user = UserFactory()
    client.force_login(user)
    data = client.get(reverse("volunteers:export")).json()
    assert data["testapp"] == [{"owner": user.email}]


def test_the_export_is_not_cached_and_only_answers_get(client):
    client.force_login(UserFactory())
    response = client.get(reverse("volunteers:export"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.post(reverse("volunteers:export")).status_code == 405
