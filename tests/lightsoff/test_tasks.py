"""/lightsoff/tasks/ and /lightsoff/rounds/: the volunteers' side of "do it for me"."""

import pytest
from django.urls import reverse

from lightsoff.models import ContactAction, Shop, VolunteerContactTask
from tests.factories import (
    CoordinatorFactory,
    ReporterSubscriptionFactory,
    ShopFactory,
    UserFactory,
    VolunteerContactTaskFactory,
)

pytestmark = pytest.mark.django_db
TASKS = reverse("lightsoff:tasks")


@pytest.mark.parametrize("url_name", ["lightsoff:tasks", "lightsoff:rounds"])
def test_anonymous_visitors_are_sent_to_log_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_visitors_cannot_take_a_task(client):
    task = VolunteerContactTaskFactory()
    response = client.post(reverse("lightsoff:task_take", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == VolunteerContactTask.Status.OPEN


@pytest.mark.parametrize("factory", [UserFactory, CoordinatorFactory])
def test_volunteers_and_coordinators_see_the_open_tasks(
    client, factory, django_assert_max_num_queries
):
    VolunteerContactTaskFactory.create_batch(5)
    VolunteerContactTaskFactory(shop=ShopFactory(name="Caché", is_hidden=True))
    client.force_login(factory())
    with django_assert_max_num_queries(9):  # 8, and the volunteer's task area
        response = client.get(TASKS)
    page = response.content.decode()
    assert page.count("Je m&#x27;en charge") + page.count("Je m'en charge") == 5
    assert "Caché" not in page


def test_the_tasks_page_is_a_section_of_the_volunteer_space():
    from volunteers.space import space_sections

    assert "lightsoff:tasks" in [section.url_name for section in space_sections()]


def test_two_volunteers_taking_the_same_task_leave_it_with_the_first(client):
    task = VolunteerContactTaskFactory()
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    client.post(reverse("lightsoff:task_take", args=[task.pk]))
    client.force_login(second)
    response = client.post(reverse("lightsoff:task_take", args=[task.pk]), follow=True)
    assert "Un autre bénévole a pris cette tâche avant vous." in response.content.decode()
    task.refresh_from_db()
    assert task.volunteer == first and task.status == VolunteerContactTask.Status.TAKEN


def test_completing_a_task_logs_a_volunteer_contact_and_tells_subscribers(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    from django.utils import timezone

    task = VolunteerContactTaskFactory()
    ReporterSubscriptionFactory(shop=task.shop, confirmed_at=timezone.now())
    volunteer = UserFactory()
    client.force_login(volunteer)
    client.post(reverse("lightsoff:task_take", args=[task.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lightsoff:task_done", args=[task.pk]), {"channel": "phone"})
    task.refresh_from_db()
    assert task.status == VolunteerContactTask.Status.DONE
    action = ContactAction.objects.get()
    assert action.by_volunteer and action.actor == volunteer
    assert Shop.objects.get().status == Shop.Status.CONTACTED
    assert len(mailoutbox) == 1 and "bénévole" in mailoutbox[0].subject


def test_a_volunteer_cannot_complete_someone_elses_task(client):
    task = VolunteerContactTaskFactory(status="taken", volunteer=UserFactory())
    client.force_login(UserFactory())
    client.post(reverse("lightsoff:task_done", args=[task.pk]), {"channel": "phone"})
    task.refresh_from_db()
    assert task.status == VolunteerContactTask.Status.TAKEN
    assert not ContactAction.objects.exists()


def test_a_round_lists_the_shops_to_check_around_a_point(client):
    contacted = ShopFactory(name="À vérifier", status="contacted")
    ShopFactory(name="Déjà résolu", status="resolved")
    ShopFactory(name="Ailleurs", latitude="45.764000", longitude="4.835700")
    ShopFactory(name="Importé, jamais signalé", sightings_count=0, osm_id="node/42")
    client.force_login(UserFactory())
    response = client.post(
        reverse("lightsoff:rounds"),
        {
            "latitude": contacted.latitude,
            "longitude": contacted.longitude,
            "radius_m": 500,
            "planned_for": "2026-12-01",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "À vérifier" in page
    assert "Déjà résolu" not in page and "Ailleurs" not in page
    assert "Importé, jamais signalé" not in page
