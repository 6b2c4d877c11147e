"""Answering a call-up by replying to its SMS or its e-mail: the same answer as the link."""

import pytest
from django.test import TestCase

from missions.models import Alert, Mobilization
from missions.services import launch_mobilization
from missions.services.replies import answer_by_email, answer_by_sms
from tests.factories import CoordinatorFactory
from volunteers.models import Profile

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db
PHONE = "+33612345678"


@pytest.fixture(autouse=True)
def memory_sms(settings):
    settings.SMS_BACKEND = "memory"


def sms_volunteer():
    return reachable_volunteer(alert_by_email=False, alert_by_sms=True, phone=PHONE)


def launch(**kwargs):
    mobilization = draft_callup(**kwargs)
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    return mobilization


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("OUI", Alert.Response.ACCEPTED),
        (" oui ! ", Alert.Response.ACCEPTED),
        ("Yes.", Alert.Response.ACCEPTED),
        ("1", Alert.Response.ACCEPTED),
        ("Non", Alert.Response.DECLINED),
        ("no", Alert.Response.DECLINED),
        ("2", Alert.Response.DECLINED),
    ],
)
def test_a_reply_records_the_answer_like_the_link(text, answer):
    sms_volunteer()
    launch()
    reply = answer_by_sms(from_number=PHONE, text=text)
    assert Alert.objects.get().response == answer
    assert reply.startswith("Réserve :")


def test_the_answer_goes_to_the_most_recent_open_call_up():
    volunteer = sms_volunteer()
    older = launch(title="Ancienne")
    newer = draft_callup(title="Nouvelle", status=Mobilization.Status.LAUNCHED)
    Alert.objects.create(mobilization=newer, volunteer=volunteer, channel="sms")
    closed = draft_callup(title="Fermée", status=Mobilization.Status.CLOSED)
    Alert.objects.create(mobilization=closed, volunteer=volunteer, channel="sms")
    reply = answer_by_sms(from_number=PHONE, text="oui")
    assert Alert.objects.get(mobilization=newer).response == Alert.Response.ACCEPTED
    assert Alert.objects.get(mobilization=older).response == Alert.Response.NONE
    assert "Nouvelle" in reply


def test_a_full_call_up_puts_a_yes_on_the_wait_list():
    sms_volunteer()
    reachable_volunteer()
    mobilization = launch(headcount=1)
    Alert.objects.exclude(volunteer__profile__phone=PHONE).update(response=Alert.Response.ACCEPTED)
    Mobilization.objects.filter(pk=mobilization.pk).update(status=Mobilization.Status.FILLED)
    reply = answer_by_sms(from_number=PHONE, text="OUI")
    assert Alert.objects.get(volunteer__profile__phone=PHONE).response == "waitlisted"
    assert "liste d’attente" in reply


def test_stop_turns_sms_call_ups_off_and_is_confirmed():
    volunteer = sms_volunteer()
    launch()
    reply = answer_by_sms(from_number=PHONE, text="STOP")
    profile = Profile.objects.get(user=volunteer)
    assert profile.alert_by_sms is False and profile.sms_stopped_at is not None
    assert "plus de mobilisations par SMS" in reply
    assert Alert.objects.get().response == Alert.Response.NONE


def test_anything_else_gets_one_short_help_text():
    sms_volunteer()
    launch(title="Maraude")
    reply = answer_by_sms(from_number=PHONE, text="oui mais demain")
    assert Alert.objects.get().response == Alert.Response.NONE
    assert "OUI" in reply and "Maraude" in reply


def test_an_unknown_number_gets_nothing_recorded():
    sms_volunteer()
    launch()
    assert answer_by_sms(from_number="+33699999999", text="OUI") is None
    assert Alert.objects.get().response == Alert.Response.NONE


def test_an_email_reply_answers_with_the_line_above_the_quote():
    reachable_volunteer()
    launch()
    alert = Alert.objects.get()
    text = "Oui !\n\nLe lun. 3 juin 2024 à 10:00, Réserve a écrit :\n> Répondez NON pour décliner"
    assert answer_by_email(token=alert.token, text=text) == "accepted"
    alert.refresh_from_db()
    assert alert.response == Alert.Response.ACCEPTED


def test_an_email_reply_that_says_neither_or_names_no_alert_changes_nothing():
    reachable_volunteer()
    launch()
    alert = Alert.objects.get()
    assert answer_by_email(token=alert.token, text="Je vous rappelle\n> OUI") is None
    assert answer_by_email(token="unknown-token-0000000000", text="OUI") is None
    assert answer_by_email(token="../../etc", text="OUI") is None
    alert.refresh_from_db()
    assert alert.response == Alert.Response.NONE
