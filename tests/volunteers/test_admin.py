import pytest
from django.urls import reverse

from tests.factories import (
    AlertFactory,
    CoordinatorFactory,
    MembershipFactory,
    ProfileSkillFactory,
    UserFactory,
)
from volunteers.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = CoordinatorFactory(is_superuser=True)
    client.force_login(user)
    return user


def test_the_profile_list_shows_participation_counts(
    client, coordinator, django_assert_max_num_queries
):
    busy = UserFactory(profile__display_name="Busy")
    MembershipFactory.create_batch(2, volunteer=busy)
    AlertFactory(volunteer=busy, response="accepted")
    for _ in range(5):
        ProfileSkillFactory()
    url = reverse("admin:volunteers_profile_changelist")
    with django_assert_max_num_queries(20):
        response = client.get(url, {"q": "Busy"})
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.projects_count, row.callups_count) == (2, 1)


@pytest.mark.parametrize(
    "params", [{"available_now": "yes"}, {"lent": "yes"}, {"status": "paused"}]
)
def test_the_list_filters_work(client, coordinator, params):
    url = reverse("admin:volunteers_profile_changelist")
    assert client.get(url, params).status_code == 200


def test_pausing_asks_for_confirmation_first(client, coordinator):
    target = UserFactory().profile
    url = reverse("admin:volunteers_profile_changelist")
    data = {"action": "pause_profiles", "_selected_action": [target.pk]}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Yes" in response.content.decode() or "Oui" in response.content.decode()
    target.refresh_from_db()
    assert target.status == Profile.Status.ACTIVE
    client.post(url, {**data, "confirmed": "yes"})
    target.refresh_from_db()
    assert target.status == Profile.Status.PAUSED


def test_the_csv_action_exports_the_selection(client, coordinator):
    chosen = UserFactory(profile__display_name="Chosen").profile
    UserFactory(profile__display_name="Other")
    response = client.post(
        reverse("admin:volunteers_profile_changelist"),
        {"action": "export_csv", "_selected_action": [chosen.pk]},
    )
    body = response.content.decode("utf-8-sig")
    assert "Chosen" in body and "Other" not in body
