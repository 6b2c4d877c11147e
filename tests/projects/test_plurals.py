"""Counts shown on the project pages agree with their number, in French."""

import re

import pytest
from django.urls import reverse

from tests.factories import NeedFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [(1, "6 h par semaine pendant 1 semaine"), (2, "6 h par semaine pendant 2 semaines")],
)
def test_a_role_says_its_weeks_in_the_right_number(client, weeks, expected):
    need = NeedFactory(hours_per_week=6, weeks=weeks)
    detail = client.get(need.project.get_absolute_url())
    assert expected in _text(detail)
    client.force_login(UserFactory())
    apply = client.get(
        reverse("projects:apply", kwargs={"slug": need.project.slug, "need_id": need.pk})
    )
    assert expected in _text(apply)


@pytest.mark.parametrize(("headcount", "expected"), [(1, "0 sur 1 pourvu"), (2, "0 sur 2 pourvus")])
def test_the_lead_reads_how_many_places_of_a_role_are_filled(client, headcount, expected):
    project = ProjectFactory()
    NeedFactory(project=project, headcount=headcount)
    client.force_login(project.lead)
    page = client.get(reverse("projects:manage", kwargs={"slug": project.slug}))
    text = _text(page)
    assert expected in text
    if headcount == 1:
        assert "pourvus" not in text
