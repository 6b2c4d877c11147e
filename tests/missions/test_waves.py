import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from missions.models import Alert, Mobilization
from missions.services import advance_waves, launch_mobilization, record_response
from tests.factories import CoordinatorFactory

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db


def launch(**kwargs):
    mobilization = draft_callup(**kwargs)
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    mobilization.refresh_from_db()
    return mobilization


def test_an_unfilled_call_up_sends_the_next_wave_at_the_wave_deadline():
    near = reachable_volunteer()
    far = reachable_volunteer(region="84")
    mobilization = launch(wave_hours=2)
    assert advance_waves() == []  # too early

    later = timezone.now() + datetime.timedelta(hours=2, minutes=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert advance_waves(now=later) == [(mobilization.pk, 2, 1)]
    waves = dict(Alert.objects.values_list("volunteer__email", "wave"))
    assert waves == {near.email: 1, far.email: 2}
    assert set(Alert.objects.values_list("status", flat=True)) == {Alert.Status.SENT}
    # Running the beat task again changes nothing until the next deadline.
    assert advance_waves(now=later) == []


def test_a_filled_call_up_sends_no_further_wave():
    near = reachable_volunteer()
    reachable_volunteer(region="84")
    mobilization = launch(headcount=1, wave_hours=1)
    record_response(Alert.objects.get(volunteer=near), accept=True)
    assert Mobilization.objects.get().status == Mobilization.Status.FILLED
    assert advance_waves(now=timezone.now() + datetime.timedelta(hours=3)) == []
    assert Alert.objects.filter(mobilization=mobilization).count() == 1


def test_no_wave_goes_out_after_the_last_one():
    reachable_volunteer()
    mobilization = launch(max_waves=1, wave_hours=1)
    assert advance_waves(now=timezone.now() + datetime.timedelta(hours=3)) == []
    assert mobilization.current_wave == 1
