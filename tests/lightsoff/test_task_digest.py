"""A volunteer's task area and the daily digest of new "do it for me" tasks in it."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from lightsoff.hours import PARIS
from lightsoff.models import Commune, CommunePostcode, TaskArea, VolunteerContactTask
from lightsoff.services import task_areas
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

# Monday 2 December 2024, Paris time: the controlled clock of these tests.
MONDAY = datetime.datetime(2024, 12, 2, 9, 0, tzinfo=PARIS)


@pytest.fixture
def communes():
    paris = Commune.objects.create(
        insee_code="75056",
        name="Paris",
        departement="75",
        latitude=Decimal("48.856600"),
        longitude=Decimal("2.352200"),
    )
    CommunePostcode.objects.create(commune=paris, postcode="75011")
    saint_etienne = Commune.objects.create(
        insee_code="42218",
        name="Saint-Étienne",
        departement="42",
        latitude=Decimal("45.434700"),
        longitude=Decimal("4.390300"),
    )
    CommunePostcode.objects.create(commune=saint_etienne, postcode="42000")
    Commune.objects.create(
        insee_code="27229",
        name="Évreux",
        departement="27",
        latitude=Decimal("49.024100"),
        longitude=Decimal("1.150800"),
    )
    for code, dep in (("01001", "01"), ("02001", "02")):
        Commune.objects.create(
            insee_code=code,
            name="Sainte-Marie",
            departement=dep,
            latitude=Decimal("46.0"),
            longitude=Decimal("5.0"),
        )
    return paris


def area_for(user, place="Paris", radius_km=5, *, since=MONDAY):
    area = task_areas.set_task_area(user=user, place=place, radius_km=radius_km)
    # The area was created at `since` (created_at is auto_now_add: set afterwards).
    TaskArea.objects.filter(pk=area.pk).update(created_at=since)
    return area


def task_at(name, lat, lng, requested_at, status=VolunteerContactTask.Status.OPEN):
    shop = ShopFactory(name=name, latitude=Decimal(str(lat)), longitude=Decimal(str(lng)))
    task = VolunteerContactTask.objects.create(shop=shop, status=status)
    # requested_at is auto_now_add: the clock is set afterwards.
    VolunteerContactTask.objects.filter(pk=task.pk).update(requested_at=requested_at)
    return task


# --- The area ----------
@pytest.mark.parametrize(
    "place, label",
    [
        ("75011", "75011 Paris"),
        ("paris", "Paris"),
        ("saint etienne", "Saint-Étienne"),
        ("evreux", "Évreux"),
        ("  ÉVREUX ", "Évreux"),
    ],
)
def test_an_area_is_centred_on_the_commune_typed(communes, place, label):
    area = task_areas.set_task_area(user=UserFactory(), place=place, radius_km=10)
    assert area.place == label
    commune = Commune.objects.get(name=label.split(" ", 1)[-1])
    assert (area.latitude, area.longitude) == (commune.latitude, commune.longitude)


def test_a_volunteer_has_one_area_that_they_can_change(client, communes):
    user = UserFactory()
    client.force_login(user)
    url = reverse("lightsoff:task_area")
    client.post(url, {"place": "Paris", "radius_km": "5", "digest": "on"})
    response = client.post(url, {"place": "42000", "radius_km": "20", "digest": "on"})
    assert response.status_code == 302
    area = TaskArea.objects.get(user=user)
    assert (area.place, area.radius_km, area.digest) == ("42000 Saint-Étienne", 20, True)
    page = client.get(reverse("lightsoff:tasks")).content.decode()
    assert "Tâches à moins de 20 km de 42000 Saint-Étienne." in page


@pytest.mark.parametrize(
    "place, message",
    [
        ("Atlantis", "Aucune commune connue ne s’appelle"),
        ("99999", "Aucune commune connue n’a le code postal 99999."),
        (
            "Sainte-Marie",
            "Plusieurs communes s’appellent « Sainte-Marie » : indiquez plutôt son code postal.",
        ),
    ],
)
def test_an_unknown_or_ambiguous_place_is_said_next_to_the_field(client, communes, place, message):
    client.force_login(UserFactory())
    response = client.post(
        reverse("lightsoff:task_area"), {"place": place, "radius_km": "5", "digest": "on"}
    )
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "’").replace("'", "’")
    assert 'id="id_place_error"' in html
    assert message in html
    assert not TaskArea.objects.exists()


def test_a_radius_out_of_range_is_refused(client, communes):
    client.force_login(UserFactory())
    response = client.post(reverse("lightsoff:task_area"), {"place": "Paris", "radius_km": "500"})
    assert response.status_code == 400
    assert 'id="id_radius_km_error"' in response.content.decode()


def test_the_area_needs_a_login(client, communes):
    response = client.post(reverse("lightsoff:task_area"), {"place": "Paris", "radius_km": "5"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not TaskArea.objects.exists()


def test_the_tasks_page_lists_the_open_tasks_in_my_area(
    client, communes, django_assert_max_num_queries
):
    user = UserFactory()
    area_for(user)
    task_at("Fleuriste Bastille", 48.8535, 2.3720, MONDAY)
    task_at("Boulanger de Lyon", 45.7640, 4.8357, MONDAY)
    for n in range(5):
        task_at(f"Caviste {n}", 48.8540, 2.3700, MONDAY)
    client.force_login(user)
    with django_assert_max_num_queries(10):  # the page's 9, and the area's tasks
        page = client.get(reverse("lightsoff:tasks")).content.decode()
    mine = page[page.index('data-testid="area-tasks"') :]
    mine = mine[: mine.index("</ul>")]
    assert "Fleuriste Bastille" in mine and "Boulanger de Lyon" not in mine


# --- The digest ----------
def digests(now):
    mail.outbox.clear()
    sent = task_areas.send_task_digests(now=now)
    assert sent == len(mail.outbox)
    return mail.outbox


def test_the_digest_tells_of_new_open_tasks_in_the_area_only(communes):
    user = UserFactory()
    area_for(user)
    task_at("Fleuriste Bastille", 48.8535, 2.3720, MONDAY + datetime.timedelta(hours=2))
    task_at("Boulanger de Lyon", 45.7640, 4.8357, MONDAY + datetime.timedelta(hours=2))
    # Just inside the box's corner but farther than 5 km: the exact distance decides.
    task_at(
        "Épicerie de Vincennes", 48.8566 + 0.04, 2.3522 + 0.06, MONDAY + datetime.timedelta(hours=2)
    )
    task_at(
        "Caviste déjà pris",
        48.8570,
        2.3530,
        MONDAY + datetime.timedelta(hours=3),
        status=VolunteerContactTask.Status.TAKEN,
    )
    task_at("Opticien d'avant", 48.8570, 2.3530, MONDAY - datetime.timedelta(hours=1))
    [message] = digests(MONDAY + datetime.timedelta(hours=9))
    assert message.to == [user.email]
    assert message.subject == "[Réserve] 1 nouvelle tâche LightsOff près de Paris"
    assert "Fleuriste Bastille" in message.body
    for absent in ("Lyon", "Vincennes", "Caviste", "Opticien"):
        assert absent not in message.body
    assert "/lightsoff/tasks/#area" in message.body


def test_no_new_task_no_email(communes):
    area_for(UserFactory())
    assert digests(MONDAY + datetime.timedelta(hours=9)) == []


def test_at_most_one_digest_a_day(communes):
    user = UserFactory()
    area_for(user)
    task_at("Fleuriste Bastille", 48.8535, 2.3720, MONDAY + datetime.timedelta(hours=1))
    assert len(digests(MONDAY + datetime.timedelta(hours=8))) == 1  # Monday 17 h
    # A task later that evening waits for Tuesday's digest, however often the beat runs.
    task_at("Caviste de nuit", 48.8540, 2.3700, MONDAY + datetime.timedelta(hours=10))
    assert digests(MONDAY + datetime.timedelta(hours=12)) == []  # Monday 21 h
    assert digests(MONDAY + datetime.timedelta(hours=14, minutes=50)) == []  # 23:50
    [tuesday] = digests(MONDAY + datetime.timedelta(days=1, hours=8))
    assert "Caviste de nuit" in tuesday.body and "Fleuriste Bastille" not in tuesday.body
    # Run twice (two beat workers, a retry): nothing more.
    assert digests(MONDAY + datetime.timedelta(days=1, hours=8)) == []


def test_a_volunteer_who_stopped_the_emails_gets_none(client, communes):
    user = UserFactory()
    area_for(user)
    client.force_login(user)
    client.post(reverse("lightsoff:task_area"), {"place": "Paris", "radius_km": "5"})
    assert TaskArea.objects.get(user=user).digest is False
    task_at("Fleuriste Bastille", 48.8535, 2.3720, MONDAY + datetime.timedelta(hours=1))
    assert digests(MONDAY + datetime.timedelta(hours=8)) == []


def test_a_new_area_does_not_send_the_backlog(communes):
    task_at("Fleuriste Bastille", 48.8535, 2.3720, MONDAY - datetime.timedelta(days=3))
    task_areas.set_task_area(user=UserFactory(), place="Paris", radius_km=5)
    assert task_areas.send_task_digests() == 0


def test_the_daily_digest_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "lightsoff.tasks.send_task_digests" in tasks
