import pytest
from django.urls import reverse

from tests.factories import AvailabilityFactory, ProfileSkillFactory, UserFactory, skill
from volunteers import space

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_get_the_public_explanation(client):
    response = client.get(reverse("volunteers:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("account_signup") in html
    assert reverse("volunteers:export") not in html


def test_a_volunteer_sees_their_summary_and_their_data_links(client):
    user = UserFactory(profile__display_name="Camille Martin", profile__departement="75")
    ProfileSkillFactory(profile=user.profile)
    AvailabilityFactory(profile=user.profile, hours_per_week=30)
    client.force_login(user)
    html = client.get(reverse("volunteers:index")).content.decode()
    assert "Camille Martin" in html
    assert "Paris" in html
    for name in ("volunteers:profile_edit", "volunteers:export", "volunteers:delete"):
        assert reverse(name) in html
    assert reverse("account_email") in html


def test_sections_registered_by_other_apps_are_listed(client, monkeypatch):
    monkeypatch.setattr(space, "_sections", {})
    space.register_section("demo", "Mes coups de main", "lightsoff:index", order=1)
    client.force_login(UserFactory())
    html = client.get(reverse("volunteers:index")).content.decode()
    assert "Mes coups de main" in html
    assert reverse("lightsoff:index") in html


def test_bio_with_html_is_shown_escaped(client):
    user = UserFactory(profile__bio="<script>alert(1)</script>")
    client.force_login(user)
    html = client.get(reverse("volunteers:index")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_space_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    user = UserFactory()
    for slug in ("design-ux", "redaction", "dataviz"):
        ProfileSkillFactory(profile=user.profile, skill=skill(slug))
    AvailabilityFactory.create_batch(3, profile=user.profile)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        client.get(reverse("volunteers:index"))
