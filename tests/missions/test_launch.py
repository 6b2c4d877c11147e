import datetime

import pytest
from django.core import mail
from django.utils import timezone

from missions.models import Alert, Crisis, Mobilization
from missions.services import MobilizationNotDraft, launch_mobilization, quiet_hours_end
from tests.factories import CoordinatorFactory, CrisisFactory

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db


def test_launching_marks_the_call_up_launched_and_writes_one_alert_per_volunteer():
    volunteers = [reachable_volunteer() for _ in range(3)]
    mobilization = draft_callup()
    coordinator = CoordinatorFactory()

    result = launch_mobilization(mobilization, by=coordinator)

    mobilization.refresh_from_db()
    assert mobilization.status == Mobilization.Status.LAUNCHED
    assert mobilization.launched_by == coordinator
    assert mobilization.current_wave == 1
    assert result.alerts == 3
    alerts = Alert.objects.filter(mobilization=mobilization)
    assert {a.volunteer for a in alerts} == set(volunteers)
    assert {a.wave for a in alerts} == {1}
    assert len({a.token for a in alerts}) == 3


def test_sending_starts_only_once_the_launch_is_committed(django_capture_on_commit_callbacks):
    reachable_volunteer()
    mobilization = draft_callup()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        launch_mobilization(mobilization, by=CoordinatorFactory())
    assert len(mail.outbox) == 0
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert Alert.objects.get().status == Alert.Status.SENT


def test_a_call_up_cannot_be_launched_twice():
    reachable_volunteer()
    mobilization = draft_callup()
    launch_mobilization(mobilization, by=CoordinatorFactory())
    with pytest.raises(MobilizationNotDraft):
        launch_mobilization(Mobilization.objects.get(pk=mobilization.pk), by=CoordinatorFactory())
    assert Alert.objects.count() == 1


def test_volunteers_in_their_quiet_hours_are_alerted_when_they_end():
    volunteer = reachable_volunteer(
        quiet_hours_start=datetime.time(22, 0), quiet_hours_end=datetime.time(7, 0)
    )
    night = timezone.make_aware(datetime.datetime(2026, 11, 23, 23, 30))
    launch_mobilization(draft_callup(), by=CoordinatorFactory(), now=night)
    alert = Alert.objects.get(volunteer=volunteer)
    assert timezone.localtime(alert.not_before) == timezone.make_aware(
        datetime.datetime(2026, 11, 24, 7, 0)
    )


def test_a_red_crisis_alerts_at_once_even_in_quiet_hours():
    reachable_volunteer(quiet_hours_start=datetime.time(22, 0), quiet_hours_end=datetime.time(7, 0))
    red = CrisisFactory(severity=Crisis.Severity.RED)
    night = timezone.make_aware(datetime.datetime(2026, 11, 23, 2, 0))
    launch_mobilization(draft_callup(crisis=red), by=CoordinatorFactory(), now=night)
    assert Alert.objects.get().not_before is None


@pytest.mark.parametrize(
    ("hour", "expected"),
    [(21, None), (22, (24, 7)), (3, (23, 7)), (7, None), (12, None)],
)
def test_quiet_hours_over_midnight(hour, expected):
    now = timezone.make_aware(datetime.datetime(2026, 11, 23, hour, 0))
    end = quiet_hours_end(now, datetime.time(22, 0), datetime.time(7, 0))
    if expected is None:
        assert end is None
    else:
        day, hour_end = expected
        assert end == timezone.make_aware(datetime.datetime(2026, 11, day, hour_end, 0))


def test_quiet_hours_are_read_in_the_volunteers_time_zone():
    # 19 h in Paris is 22 h in Réunion (UTC+4, Paris UTC+1 in November): quiet there.
    paris_evening = timezone.make_aware(datetime.datetime(2026, 11, 23, 19, 0))
    night, morning = datetime.time(22, 0), datetime.time(7, 0)
    assert quiet_hours_end(paris_evening, night, morning, "75") is None
    end = quiet_hours_end(paris_evening, night, morning, "974")
    assert timezone.localtime(end).hour == 4  # 7 h in Réunion is 4 h in Paris
    # 23 h in Paris is 18 h in Martinique: not quiet there.
    late = timezone.make_aware(datetime.datetime(2026, 11, 23, 23, 0))
    assert quiet_hours_end(late, night, morning, "972") is None


def test_volunteers_who_chose_sms_only_get_an_sms_alert():
    reachable_volunteer(alert_by_email=False, alert_by_sms=True, phone="+33612345678")
    launch_mobilization(draft_callup(), by=CoordinatorFactory())
    assert Alert.objects.get().channel == Alert.Channel.SMS
