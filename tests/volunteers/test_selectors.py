import datetime

import pytest
from django.utils import timezone

from tests.factories import AvailabilityFactory, ProfileSkillFactory, UserFactory, skill
from volunteers.models import Availability, Profile, ProfileSkill
from volunteers.selectors import match_volunteers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _volunteer(*skills, level=2, intent="offered", **profile):
    user = UserFactory(**{f"profile__{k}": v for k, v in profile.items()})
    for slug in skills:
        ProfileSkillFactory(profile=user.profile, skill=skill(slug), level=level, intent=intent)
    return user.profile


def test_any_skill_matches_volunteers_having_one_of_them():
    backend = _volunteer("developpement-backend")
    ux = _volunteer("design-ux")
    _volunteer("redaction")
    result = match_volunteers(skills=["developpement-backend", "design-ux"])
    assert set(result) == {backend, ux}


def test_all_skills_needs_every_one_of_them():
    both = _volunteer("developpement-backend", "design-ux")
    _volunteer("developpement-backend")
    result = match_volunteers(skills=["developpement-backend", "design-ux"], match="all")
    assert list(result) == [both]


def test_skills_accept_objects_ids_and_slugs_alike():
    backend = _volunteer("developpement-backend")
    s = skill("developpement-backend")
    for given in ([s], [s.pk], ["developpement-backend"]):
        assert list(match_volunteers(skills=given)) == [backend]


def test_min_level_and_skills_to_learn_are_respected():
    expert = _volunteer("data-science", level=ProfileSkill.Level.EXPERT)
    _volunteer("data-science", level=ProfileSkill.Level.BEGINNER)
    _volunteer("data-science", level=ProfileSkill.Level.EXPERT, intent="learning")
    assert list(match_volunteers(skills=["data-science"], min_level=3)) == [expert]


def test_unknown_skill_matches_nobody():
    _volunteer("data-science")
    assert list(match_volunteers(skills=["basket-weaving"])) == []


def test_regions_include_travellers_and_remote_unless_excluded():
    paris = _volunteer(departement="75")
    _volunteer(departement="13")
    remote = _volunteer(remote_only=True)
    traveller = _volunteer(departement="69", can_travel=True)
    assert set(match_volunteers(regions=["11"])) == {paris, remote, traveller}
    assert set(match_volunteers(regions=["11"], include_remote=False)) == {paris, traveller}


def test_period_needs_an_overlapping_availability_and_no_unavailability():
    free = _volunteer()
    AvailabilityFactory(profile=free, starts_on=TODAY, ends_on=TODAY + 10 * DAY)
    busy = _volunteer()
    AvailabilityFactory(profile=busy, starts_on=TODAY, ends_on=TODAY + 10 * DAY)
    AvailabilityFactory(
        profile=busy,
        kind=Availability.Kind.UNAVAILABLE,
        starts_on=TODAY + 2 * DAY,
        ends_on=TODAY + 4 * DAY,
    )
    later = _volunteer()
    AvailabilityFactory(profile=later, starts_on=TODAY + 30 * DAY, ends_on=TODAY + 40 * DAY)
    result = match_volunteers(period=(TODAY + DAY, TODAY + 5 * DAY))
    assert list(result) == [free]


def test_crisis_opt_in_keeps_the_reachable_only():
    reachable = _volunteer(crisis_opt_in=True)
    no_channel = _volunteer(crisis_opt_in=True, alert_by_email=False)
    declined = _volunteer(crisis_opt_in=False)
    assert list(match_volunteers(crisis_opt_in=True)) == [reachable]
    assert set(match_volunteers(crisis_opt_in=False)) == {declined}
    assert no_channel not in match_volunteers(crisis_opt_in=True)


def test_paused_archived_and_deactivated_never_match_until_the_pause_ends():
    active = _volunteer()
    _volunteer(status=Profile.Status.PAUSED, paused_until=TODAY + DAY)
    _volunteer(status=Profile.Status.PAUSED)
    _volunteer(status=Profile.Status.ARCHIVED)
    UserFactory(is_active=False)
    pause_over = _volunteer()
    Profile.objects.filter(pk=pause_over.pk).update(
        status=Profile.Status.PAUSED, paused_until=TODAY - DAY
    )
    assert set(match_volunteers()) == {active, pause_over}


def test_a_match_is_one_query_whatever_the_number_of_volunteers(django_assert_num_queries):
    for i in range(6):
        p = _volunteer("developpement-backend", "design-ux", departement="75", crisis_opt_in=True)
        AvailabilityFactory(profile=p, starts_on=TODAY, ends_on=TODAY + (i + 5) * DAY)
    skill_ids = [skill("developpement-backend").pk, skill("design-ux").pk]
    with django_assert_num_queries(1):
        rows = list(
            match_volunteers(
                skills=skill_ids,
                match="all",
                min_level=2,
                regions=["11"],
                period=(TODAY, TODAY + 3 * DAY),
                crisis_opt_in=True,
            )
        )
        assert [p.user.email for p in rows]  # the user is joined, not fetched per row
    assert len(rows) == 6


def test_the_result_is_a_queryset_callers_can_refine():
    a = _volunteer(departement="75", display_name="Alice")
    _volunteer(departement="75", display_name="Bob")
    qs = match_volunteers(regions=["11"]).filter(display_name="Alice")
    assert list(qs) == [a]
    assert match_volunteers(regions=["11"]).count() == 2


def test_existing_queryset_methods_keep_their_signatures():
    p = _volunteer("developpement-backend", departement="75", crisis_opt_in=True)
    AvailabilityFactory(profile=p)
    qs = (
        Profile.objects.active()
        .reachable_for_crises()
        .with_skills([skill("developpement-backend").pk], match="any", min_level=1)
        .in_regions(["11"], include_remote=True, departements=())
        .available_now()
    )
    assert list(qs) == [p]
    assert list(Profile.objects.available_between(TODAY, TODAY)) == [p]


def test_match_refuses_an_unknown_mode():
    with pytest.raises(ValueError):
        match_volunteers(match="some")
