import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AlertFactory,
    AvailabilityFactory,
    CoordinatorFactory,
    MembershipFactory,
    ProfileSkillFactory,
    UserFactory,
    skill,
)
from volunteers.models import COORDINATORS_GROUP

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def coordinator(client):
    user = CoordinatorFactory()
    client.force_login(user)
    return user


def _names(response):
    return {p.display_name for p in response.context["page"]}


@pytest.mark.parametrize("name", ["volunteers:directory", "volunteers:directory_csv"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["volunteers:directory", "volunteers:directory_csv"])
def test_volunteers_and_plain_staff_are_refused(client, name):
    client.force_login(UserFactory())
    assert client.get(reverse(name)).status_code == 403
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(name)).status_code == 403


def test_members_of_the_coordinators_group_and_superusers_get_in(client):
    member = UserFactory()
    member.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    client.force_login(member)
    assert client.get(reverse("volunteers:directory")).status_code == 200
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(reverse("volunteers:directory")).status_code == 200


def test_filters_by_skills_region_opt_in_and_employer(client, coordinator):
    ux = UserFactory(profile__display_name="UX Paris", profile__departement="75")
    ProfileSkillFactory(profile=ux.profile, skill=skill("design-ux"), level=3)
    dev = UserFactory(
        profile__display_name="Dev Lyon",
        profile__departement="69",
        profile__crisis_opt_in=True,
        profile__employer="Octo",
    )
    ProfileSkillFactory(profile=dev.profile, skill=skill("developpement-backend"))
    url = reverse("volunteers:directory")
    assert _names(client.get(url, {"skills": skill("design-ux").pk})) == {"UX Paris"}
    assert _names(client.get(url, {"region": "84"})) == {"Dev Lyon"}
    assert _names(client.get(url, {"crisis_opt_in": "yes"})) == {"Dev Lyon"}
    assert _names(client.get(url, {"crisis_opt_in": "no"})) >= {"UX Paris"}
    assert _names(client.get(url, {"employer": "oct"})) == {"Dev Lyon"}
    assert _names(client.get(url, {"skills": skill("design-ux").pk, "min_level": "3"})) == {
        "UX Paris"
    }


def test_filters_by_availability(client, coordinator):
    free = UserFactory(profile__display_name="Free")
    AvailabilityFactory(profile=free.profile, starts_on=TODAY + 5 * DAY, ends_on=TODAY + 20 * DAY)
    UserFactory(profile__display_name="Unknown")
    url = reverse("volunteers:directory")
    period = {
        "available_from": (TODAY + 6 * DAY).isoformat(),
        "available_until": (TODAY + 8 * DAY).isoformat(),
    }
    assert _names(client.get(url, period)) == {"Free"}
    assert _names(client.get(url, {"available_from": TODAY.isoformat()})) == set()


def test_bad_filter_values_never_crash(client, coordinator):
    response = client.get(
        reverse("volunteers:directory"),
        {"skills": "nope", "available_from": "31/02", "region": "zz", "page": "999"},
    )
    assert response.status_code == 200


def test_counts_projects_and_accepted_call_ups(client, coordinator):
    busy = UserFactory(profile__display_name="Busy")
    MembershipFactory.create_batch(2, volunteer=busy)
    AlertFactory(volunteer=busy, response="accepted")
    AlertFactory(volunteer=busy, response="declined")
    response = client.get(reverse("volunteers:directory"), {"q": "Busy"})
    [row] = list(response.context["page"])
    assert (row.projects_count, row.callups_count) == (2, 1)


def test_csv_export_follows_the_filters_and_has_the_counts(client, coordinator):
    busy = UserFactory(
        profile__display_name="=HYPERLINK(evil)",
        profile__departement="75",
        profile__phone="+33612345678",
    )
    MembershipFactory(volunteer=busy)
    UserFactory(profile__display_name="Lyon", profile__departement="69")
    response = client.get(reverse("volunteers:directory_csv"), {"region": "11"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {row["name"] for row in rows}
    assert "Lyon" not in names
    row = next(r for r in rows if r["email"] == busy.email)
    assert row["name"] == "'=HYPERLINK(evil)"  # no formula in a spreadsheet
    assert row["phone"] == "+33612345678"
    assert row["projects"] == "1"


def test_the_directory_reads_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    for _ in range(8):
        user = UserFactory()
        ProfileSkillFactory(profile=user.profile)
        AvailabilityFactory(profile=user.profile)
        MembershipFactory(volunteer=user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("volunteers:directory"))
    assert len(response.context["page"]) >= 8


def test_deleted_accounts_are_not_listed(client, coordinator):
    from volunteers.services import delete_account

    gone = UserFactory(profile__display_name="Gone")
    delete_account(user=gone)
    assert "Gone" not in _names(client.get(reverse("volunteers:directory")))
