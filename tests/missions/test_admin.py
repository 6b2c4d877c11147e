import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from missions.models import Alert, FollowUp, Mobilization
from tests.factories import AlertFactory, CoordinatorFactory, UserFactory

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db


def admin_url(name, mobilization):
    return reverse(f"admin:missions_mobilization_{name}", args=[mobilization.pk])


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory())
    return client


@pytest.mark.parametrize("name", ["launch", "progress", "progress_json", "change"])
def test_anonymous_visitors_and_volunteers_are_kept_out(client, name):
    mobilization = draft_callup()
    assert client.get(admin_url(name, mobilization)).status_code == 302
    client.force_login(UserFactory())
    assert client.get(admin_url(name, mobilization)).status_code == 302


@pytest.mark.parametrize("name", ["launch", "progress", "progress_json"])
def test_staff_outside_the_coordinators_group_cannot_see_or_run_call_ups(client, name):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    assert client.get(admin_url(name, draft_callup())).status_code == 403


def test_the_change_page_shows_the_targeting_preview_and_a_launch_link(coordinator_client):
    reachable_volunteer()
    reachable_volunteer(region="84")
    mobilization = draft_callup()
    page = coordinator_client.get(admin_url("change", mobilization))
    assert "Vague 1 : 1 nouveaux réservistes" in page.text
    assert "Vague 2 : 1 nouveaux réservistes" in page.text
    assert admin_url("launch", mobilization) in page.text


def test_launching_asks_for_confirmation_then_alerts_and_shows_progress(coordinator_client):
    reachable_volunteer()
    mobilization = draft_callup()
    confirm = coordinator_client.get(admin_url("launch", mobilization))
    assert "Lancer la mobilisation maintenant" in confirm.text
    assert Mobilization.objects.get().status == Mobilization.Status.DRAFT

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = coordinator_client.post(admin_url("launch", mobilization), follow=True)

    assert response.redirect_chain[-1][0] == admin_url("progress", mobilization)
    assert "Mobilisation lancée : 1 réserviste est alerté maintenant." in response.text
    assert len(mail.outbox) == 1
    progress = coordinator_client.get(admin_url("progress_json", mobilization)).json()
    assert progress["targeted"] == 1 and progress["sent"] == 1 and progress["accepted"] == 0


def test_a_second_launch_is_refused_politely(coordinator_client):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    response = coordinator_client.post(admin_url("launch", mobilization), follow=True)
    assert "déjà lancée" in response.text


def test_the_progress_page_lists_failed_deliveries_with_their_error(
    coordinator_client, django_assert_max_num_queries
):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    for _ in range(3):
        AlertFactory(mobilization=mobilization, status="failed", last_error="550 No such user")
    AlertFactory(mobilization=mobilization, status="sent", response="accepted")
    with django_assert_max_num_queries(25):
        page = coordinator_client.get(admin_url("progress", mobilization))
    assert page.text.count("550 No such user") == 3
    assert 'src="/static/missions/progress.js"' in page.text
    assert "<script>" not in page.text


def test_closing_and_extending_a_call_up(coordinator_client):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED, headcount=1)
    coordinator_client.post(admin_url("close", mobilization))
    mobilization.refresh_from_db()
    assert mobilization.status == Mobilization.Status.CLOSED
    coordinator_client.post(
        admin_url("extend", mobilization),
        {"response_deadline": "2030-01-01T12:00", "headcount": "3"},
    )
    mobilization.refresh_from_db()
    assert (mobilization.status, mobilization.headcount) == (Mobilization.Status.LAUNCHED, 3)
    response = coordinator_client.post(
        admin_url("extend", mobilization),
        {"response_deadline": "soon", "headcount": "0"},
        follow=True,
    )
    assert "Non prolongée" in response.text


def test_a_follow_up_message_reaches_only_those_who_accepted(coordinator_client):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    accepted = AlertFactory(mobilization=mobilization, status="sent", response="accepted")
    AlertFactory(mobilization=mobilization, status="sent", response="declined")
    with TestCase.captureOnCommitCallbacks(execute=True):
        coordinator_client.post(
            admin_url("follow_up", mobilization),
            {"subject": "Rendez-vous", "body": "Rendez-vous à 8 h au gymnase."},
        )
    assert [m.to for m in mail.outbox] == [[accepted.volunteer.email]]
    assert "gymnase" in mail.outbox[0].body
    assert FollowUp.objects.get().recipients == 1


def test_coordinators_see_how_each_volunteer_answers(coordinator_client):
    alert = AlertFactory(status=Alert.Status.SENT, response="accepted")
    page = coordinator_client.get(reverse("admin:missions_mobilization_responsiveness"))
    assert alert.volunteer.email in page.text


def test_the_alert_list_filters_failures(coordinator_client):
    AlertFactory(status="failed", last_error="Mail server unreachable")
    page = coordinator_client.get(reverse("admin:missions_alert_changelist") + "?status=failed")
    assert "Mail server unreachable" in page.text


def test_a_launched_call_up_keeps_its_targeting_out_of_the_form(coordinator_client):
    reachable_volunteer()
    mobilization = draft_callup(headcount=5)
    draft_page = coordinator_client.get(admin_url("change", mobilization))
    assert 'name="headcount"' in draft_page.text
    Mobilization.objects.filter(pk=mobilization.pk).update(status=Mobilization.Status.LAUNCHED)
    page = coordinator_client.get(admin_url("change", mobilization))
    assert page.status_code == 200
    for field in ("headcount", "starts_at_0", "response_deadline_0", "remote", "regions"):
        assert f'name="{field}"' not in page.text
    assert 'name="title"' in page.text  # wording can still be fixed
