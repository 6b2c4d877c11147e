import pytest
from django.core.management import call_command

from lightsoff.models import Shop
from missions.models import Mobilization
from projects.models import Project
from volunteers.models import Profile, User

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_believable_demo_and_is_idempotent(client):
    call_command("seed_demo", volunteers=40, projects=6, shops=50, stdout=_Sink())
    counts = (Profile.objects.count(), Project.objects.count(), Shop.objects.count())
    assert counts == (41, 6, 50)  # 40 volunteers + the coordinator
    assert Project.objects.filter(title="LightsOff").exists()
    assert Project.objects.filter(title__startswith="Précarité énergétique").exists()
    assert Mobilization.objects.filter(status=Mobilization.Status.DRAFT).count() == 1
    assert Profile.objects.filter(profile_skills__isnull=False).distinct().count() == 40

    call_command("seed_demo", volunteers=40, projects=6, shops=50, stdout=_Sink())
    assert (Profile.objects.count(), Project.objects.count(), Shop.objects.count()) == counts

    coordinator = User.objects.get(email="coordinator@reserve.localhost")
    assert coordinator.is_coordinator
    assert client.login(email=coordinator.email, password="reserve-demo")
    assert client.get("/admin/").status_code == 200
    assert client.get("/projects/").status_code == 200  # not sent to the consent page


def test_seed_demo_grows_to_the_requested_size():
    call_command("seed_demo", volunteers=10, projects=2, shops=10, stdout=_Sink())
    call_command("seed_demo", volunteers=25, projects=2, shops=30, stdout=_Sink())
    assert Profile.objects.exclude(user__is_staff=True).count() == 25
    assert Shop.objects.count() == 30


def test_seed_demo_prints_the_coordinator_credentials():
    sink = _Sink()
    call_command("seed_demo", volunteers=1, projects=2, shops=1, stdout=sink)
    assert "coordinator@reserve.localhost / reserve-demo" in sink.text


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text, *args, **kwargs):
        self.text += text

    def flush(self):
        pass
