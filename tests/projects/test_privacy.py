import pytest

from projects.models import Application, Membership, Project, SavedSearch, TeamMessage, Update
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    ProjectFactory,
    SavedSearchFactory,
    UpdateFactory,
    UserFactory,
)
from volunteers.privacy import erase_everywhere, exported_sections

pytestmark = pytest.mark.django_db


def _volunteer_with_history():
    volunteer = UserFactory()
    ApplicationFactory(volunteer=volunteer, message="Mon message")
    membership = MembershipFactory(volunteer=volunteer)
    UpdateFactory(author=volunteer, project=membership.project, body="Mon actualité")
    SavedSearchFactory(user=volunteer, name="Ma recherche")
    led = ProjectFactory(lead=volunteer, proposed_by=volunteer, title="Mon idée")
    TeamMessage.objects.create(project=led, author=volunteer, subject="Point", body="Mon mot")
    return volunteer, membership, led


def test_the_rgpd_export_holds_applications_memberships_news_ideas_and_searches():
    volunteer, membership, _led = _volunteer_with_history()
    data = exported_sections(volunteer)["projects"]
    assert data["applications"][0]["message"] == "Mon message"
    assert data["memberships"][0]["project"] == membership.project.title
    assert data["updates"][0]["body"] == "Mon actualité"
    assert data["proposed_projects"] == ["Mon idée"]
    assert data["saved_searches"][0]["name"] == "Ma recherche"
    assert data["team_messages"][0]["body"] == "Mon mot"


def test_erasing_a_volunteer_leaves_no_trace_in_the_backlog_but_keeps_the_projects():
    volunteer, membership, led = _volunteer_with_history()
    other = ApplicationFactory()
    erase_everywhere(volunteer)
    assert not Application.objects.filter(volunteer=volunteer).exists()
    assert not Update.objects.filter(author=volunteer).exists()
    assert not SavedSearch.objects.filter(user=volunteer).exists()
    assert not TeamMessage.objects.filter(author=volunteer).exists()
    assert not Membership.objects.filter(volunteer=volunteer).exists()
    membership.refresh_from_db()
    assert membership.left_at is not None
    led.refresh_from_db()
    assert (led.lead, led.proposed_by) == (None, None)
    assert Project.objects.filter(pk=led.pk).exists()
    assert Application.objects.filter(pk=other.pk).exists()
