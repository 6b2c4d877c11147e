import pytest
from django.urls import reverse

from tests.factories import CoordinatorFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea():
    return UserFactory(
        profile__display_name="Léa", profile__bio="Designer", profile__phone="+33612345678"
    )


def _url(user):
    return reverse("volunteers:profile_detail", args=[user.profile.pk])


def test_anonymous_visitors_see_nothing(client, lea):
    assert client.get(_url(lea)).status_code == 404


def test_a_stranger_volunteer_sees_nothing(client, lea):
    client.force_login(UserFactory())
    assert client.get(_url(lea)).status_code == 404


def test_a_teammate_sees_the_public_part_only(client, lea):
    teammate = UserFactory()
    membership = MembershipFactory(volunteer=lea)
    MembershipFactory(project=membership.project, volunteer=teammate)
    client.force_login(teammate)
    response = client.get(_url(lea))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Léa" in html and "Designer" in html
    assert "+33612345678" not in html and lea.email not in html


def test_a_coordinator_sees_the_contact_details(client, lea):
    client.force_login(CoordinatorFactory())
    html = client.get(_url(lea)).content.decode()
    assert "+33612345678" in html and lea.email in html
