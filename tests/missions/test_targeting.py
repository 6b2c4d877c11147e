import datetime

import pytest
from django.utils import timezone

from missions.models import Alert, Crisis
from missions.selectors import targeted_profiles, targeting_funnel, targeting_preview
from tests.factories import AlertFactory, CrisisFactory, MobilizationFactory

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db


def targeted(mobilization, wave=1):
    return set(targeted_profiles(mobilization, wave=wave).values_list("user__email", flat=True))


def test_a_matching_volunteer_is_targeted():
    volunteer = reachable_volunteer()
    assert targeted(draft_callup()) == {volunteer.email}


def test_volunteers_who_did_not_opt_in_are_not_targeted():
    reachable_volunteer(crisis_opt_in=False)
    assert targeted(draft_callup()) == set()


def test_volunteers_without_the_skill_wait_for_the_related_skills_wave():
    designer = reachable_volunteer(skills=("developpement-frontend",))
    mobilization = draft_callup(skills=("developpement-backend",))
    assert targeted(mobilization, wave=1) == set()
    assert targeted(mobilization, wave=3) == {designer.email}


def test_volunteers_of_another_region_wait_for_the_wider_wave():
    far = reachable_volunteer(region="84")
    mobilization = draft_callup(regions=["11"])
    assert targeted(mobilization, wave=1) == set()
    assert targeted(mobilization, wave=2) == {far.email}


def test_remote_volunteers_are_targeted_by_a_call_up_that_allows_remote_work():
    remote = reachable_volunteer(region="84", remote_only=True)
    assert targeted(draft_callup(regions=["11"], remote=True)) == {remote.email}
    assert targeted(draft_callup(regions=["11"], remote=False)) == set()


def test_volunteers_unavailable_on_the_dates_are_not_targeted():
    reachable_volunteer(available=False)
    assert targeted(draft_callup()) == set()


def test_the_frequency_cap_skips_volunteers_alerted_by_another_call_up_today():
    volunteer = reachable_volunteer()
    AlertFactory(volunteer=volunteer)
    assert targeted(draft_callup()) == set()


def test_a_red_crisis_overrides_the_frequency_cap():
    volunteer = reachable_volunteer()
    AlertFactory(volunteer=volunteer)
    red = CrisisFactory(severity=Crisis.Severity.RED)
    assert targeted(draft_callup(crisis=red)) == {volunteer.email}


def test_an_alert_older_than_the_cap_does_not_count(settings):
    settings.ALERT_FREQUENCY_CAP_HOURS = 24
    volunteer = reachable_volunteer()
    alert = AlertFactory(volunteer=volunteer)
    Alert.objects.filter(pk=alert.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert targeted(draft_callup()) == {volunteer.email}


def test_a_volunteer_committed_to_an_overlapping_call_up_is_not_alerted():
    volunteer = reachable_volunteer()
    other = MobilizationFactory()
    alert = AlertFactory(volunteer=volunteer, mobilization=other, response="accepted")
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    red = CrisisFactory(severity=Crisis.Severity.RED)  # even at red
    assert targeted(draft_callup(crisis=red)) == set()


def test_the_funnel_says_why_volunteers_are_left_out():
    reachable_volunteer()
    reachable_volunteer(skills=("design-ux",))
    reachable_volunteer(region="84")
    reachable_volunteer(available=False)
    funnel = {step.key: step.count for step in targeting_funnel(draft_callup(), wave=1)}
    assert funnel == {
        "reachable": 4,
        "skills": 3,
        "location": 2,
        "available": 1,
        "committed": 1,
        "cap": 1,
        "new": 1,
    }


def test_the_preview_counts_each_volunteer_in_the_first_wave_that_reaches_them():
    reachable_volunteer()
    reachable_volunteer(region="84")
    reachable_volunteer(region="84", skills=("developpement-frontend",))
    waves = targeting_preview(draft_callup())
    assert [(wave["wave"], wave["new"]) for wave in waves] == [(1, 1), (2, 1), (3, 1)]
