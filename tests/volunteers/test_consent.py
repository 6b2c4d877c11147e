import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from volunteers.models import Profile

pytestmark = pytest.mark.django_db


def _volunteer_of_version_1():
    return UserFactory(profile__consent_version=1)


@pytest.fixture
def new_notice(settings):
    settings.PRIVACY_NOTICE_VERSION = 2
    return 2


def test_a_volunteer_who_accepted_an_older_notice_is_asked_again(client, new_notice):
    client.force_login(_volunteer_of_version_1())
    response = client.get(reverse("projects:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("volunteers:consent"))
    assert "next=%2Fprojects%2F" in response["Location"]


def test_accepting_records_the_version_and_goes_back_where_they_were(client, new_notice):
    user = _volunteer_of_version_1()
    client.force_login(user)
    response = client.post(
        reverse("volunteers:consent"), {"consent": "on", "next": reverse("projects:index")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:index")
    profile = Profile.objects.get(user=user)
    assert profile.consent_version == 2
    assert profile.consented_at is not None
    assert client.get(reverse("projects:index")).status_code == 200


def test_refusing_keeps_asking_with_a_message_in_french(client, new_notice):
    client.force_login(_volunteer_of_version_1())
    response = client.post(reverse("volunteers:consent"), {"next": "/"})
    assert response.status_code == 200
    assert "Vous devez accepter la politique de confidentialité" in response.content.decode()
    assert client.get("/").status_code == 302


def test_the_consent_page_never_redirects_elsewhere(client, new_notice):
    client.force_login(_volunteer_of_version_1())
    response = client.post(
        reverse("volunteers:consent"), {"consent": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("volunteers:index")


@pytest.mark.parametrize("path", ["/pages/privacy/", "/admin/login/", "/static/css/site.css"])
def test_the_notice_the_admin_and_static_files_stay_reachable(client, new_notice, path):
    client.force_login(_volunteer_of_version_1())
    assert not client.get(path).get("Location", "").startswith(reverse("volunteers:consent"))


def test_logging_out_stays_possible(client, new_notice):
    client.force_login(_volunteer_of_version_1())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.is_anonymous


def test_anonymous_visitors_and_up_to_date_volunteers_are_left_alone(client):
    assert client.get("/").status_code == 200
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200


def test_an_account_that_never_consented_is_asked(client):
    client.force_login(UserFactory(consented=False))
    assert client.get("/").status_code == 302


def _consent_reads(client, path):
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return [
        q for q in queries if q["sql"].startswith('SELECT "volunteers_profile"."consent_version"')
    ]


def test_an_up_to_date_consent_is_read_once_per_session(client):
    client.force_login(UserFactory())
    assert len(_consent_reads(client, "/")) == 1
    assert _consent_reads(client, reverse("projects:index")) == []


def test_someone_who_refuses_the_new_notice_can_still_take_their_data_and_leave(client, new_notice):
    user = _volunteer_of_version_1()
    client.force_login(user)
    export = client.get(reverse("volunteers:export"))
    assert export.status_code == 200
    assert export.json()["account"]["email"] == user.email
    assert client.get(reverse("volunteers:delete")).status_code == 200
