"""Coordinators' actions on projects (qualify, change status, hand over) leave an audit
row, shown on the project's admin page."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from projects import services
from projects.models import Project, Qualification
from tests.factories import CoordinatorFactory, PartnerFactory, ProjectFactory
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/projects/project/"


@pytest.fixture
def coordinator(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    user = CoordinatorFactory()
    client.force_login(user)
    return user


def rows(project):
    return [
        (e.action, e.acting_user_id, e.changes)
        for e in AuditEntry.objects.filter(object_id=project.pk).order_by("pk")
    ]


def test_qualifying_then_opening_records_the_decision_and_the_status(coordinator):
    project = ProjectFactory(status=Project.Status.QUALIFYING, opened_at=None)
    qualification = Qualification(project=project, decision=Qualification.Decision.GO)
    services.qualify(qualification=qualification, by=coordinator)
    services.qualify(qualification=qualification, by=coordinator)  # unchanged: no row
    services.change_status(project=project, status=Project.Status.OPEN, by=coordinator)

    (qualify, change) = rows(project)
    assert qualify[:2] == ("projects.qualify", coordinator.pk)
    assert qualify[2]["decision"] == [None, "go"]
    assert change == (
        "projects.change_status",
        coordinator.pk,
        {"status": ["qualifying", "open"]},
    )


def test_a_refused_opening_records_nothing(coordinator):
    project = ProjectFactory(status=Project.Status.IDEA)
    with pytest.raises(services.NotQualified):
        services.change_status(project=project, status=Project.Status.OPEN, by=coordinator)
    assert rows(project) == []


def test_handing_over_from_the_admin_records_the_partner_and_is_shown(client, coordinator):
    project = ProjectFactory(status=Project.Status.DELIVERED)
    partner = PartnerFactory(name="Ville de Grenoble")
    data = {"action": "hand_over_action", ACTION_CHECKBOX_NAME: [project.pk]}
    client.post(CHANGELIST, {**data, "confirm": "yes", "partner": partner.pk})

    actions = {action: changes for action, _by, changes in rows(project)}
    assert actions["projects.change_status"] == {"status": ["delivered", "handed_over"]}
    assert actions["projects.hand_over"] == {"handed_over_to": [None, "Ville de Grenoble"]}
    page = client.get(reverse("admin:projects_project_change", args=[project.pk])).text
    assert "Projet transmis" in page and "Ville de Grenoble" in page
