import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from projects.models import Project, Qualification
from tests.factories import (
    CoordinatorFactory,
    NeedFactory,
    PartnerFactory,
    ProjectFactory,
    QualificationFactory,
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/projects/project/"


@pytest.fixture
def coordinator_client(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    client.force_login(CoordinatorFactory())
    return client


def test_the_changelist_filters_by_status_and_qualification_in_few_queries(
    coordinator_client, django_assert_max_num_queries
):
    QualificationFactory(project=ProjectFactory(title="Qualifié", status=Project.Status.OPEN))
    ProjectFactory(title="Idée brute", status=Project.Status.IDEA)
    with django_assert_max_num_queries(30) as few:
        response = coordinator_client.get(f"{CHANGELIST}?qualification__decision=go")
    html = response.content.decode()
    assert "Qualifié" in html
    assert "Idée brute" not in html
    for _ in range(5):
        NeedFactory(project=QualificationFactory().project)
    with django_assert_max_num_queries(len(few.captured_queries)):
        coordinator_client.get(f"{CHANGELIST}?qualification__decision=go")


def test_changing_status_asks_for_confirmation_then_dates_the_opening(coordinator_client):
    project = ProjectFactory(status=Project.Status.QUALIFYING, opened_at=None)
    QualificationFactory(project=project)
    data = {"action": "change_status_action", ACTION_CHECKBOX_NAME: [project.pk]}
    confirm = coordinator_client.post(CHANGELIST, data)
    assert confirm.status_code == 200
    assert "Confirmer" in confirm.content.decode()
    project.refresh_from_db()
    assert project.status == Project.Status.QUALIFYING
    done = coordinator_client.post(CHANGELIST, {**data, "confirm": "yes", "status": "open"})
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN
    assert project.opened_at is not None


def test_handing_over_from_the_admin_records_the_partner(coordinator_client):
    project = ProjectFactory(status=Project.Status.DELIVERED)
    partner = PartnerFactory(name="Ville de Grenoble")
    data = {"action": "hand_over_action", ACTION_CHECKBOX_NAME: [project.pk]}
    coordinator_client.post(CHANGELIST, {**data, "confirm": "yes", "partner": partner.pk})
    project.refresh_from_db()
    assert (project.status, project.handed_over_to) == (Project.Status.HANDED_OVER, partner)


def test_qualifying_and_opening_in_the_change_form(coordinator_client):
    project = ProjectFactory(status=Project.Status.IDEA, opened_at=None)
    url = reverse("admin:projects_project_change", args=[project.pk])
    form = coordinator_client.get(url).context["adminform"].form
    data = {
        name: form.initial.get(name, "") if form.initial.get(name) is not None else ""
        for name in form.fields
    }
    data.update(
        {
            "status": "open",
            "lead": project.lead.pk,
            "partners": [],
            "remote": "on",
            "qualification-TOTAL_FORMS": "1",
            "qualification-INITIAL_FORMS": "0",
            "qualification-0-blind_spot": "Personne ne le fait",
            "qualification-0-decision": "go",
            "qualification-0-project": project.pk,
            "needs-TOTAL_FORMS": "0",
            "needs-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if v is not None}
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN
    assert project.opened_at is not None
    assert project.qualification.decision == Qualification.Decision.GO
    assert project.qualification.decided_on is not None


def test_an_unqualified_project_is_not_opened_and_the_coordinator_is_told(coordinator_client):
    project = ProjectFactory(status=Project.Status.IDEA, opened_at=None)
    data = {"action": "change_status_action", ACTION_CHECKBOX_NAME: [project.pk]}
    response = coordinator_client.post(
        CHANGELIST, {**data, "confirm": "yes", "status": "open"}, follow=True
    )
    assert "qu&#x27;une fois sa qualification au feu vert" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Project.Status.IDEA
