"""Every URL of the backlog walked as anonymous, volunteer, member, lead and coordinator."""

import pytest
from django.urls import reverse

from projects.models import Membership
from tests.factories import (
    ApplicationFactory,
    CoordinatorFactory,
    MembershipFactory,
    NeedFactory,
    ProjectFactory,
    SavedSearchFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "volunteer", "member", "lead", "lead_member", "coordinator"]


@pytest.fixture
def world():
    project = ProjectFactory()
    need = NeedFactory(project=project)
    member = MembershipFactory(project=project).volunteer
    lead_member = MembershipFactory(project=project, role=Membership.Role.LEAD).volunteer
    application = ApplicationFactory(need=need)
    return {
        "project": project,
        "need": need,
        "application": application,
        "users": {
            "anonymous": None,
            "volunteer": UserFactory(),
            "member": member,
            "lead": project.lead,
            "lead_member": lead_member,
            "coordinator": CoordinatorFactory(),
        },
    }


def _get(client, world, role, url):
    user = world["users"][role]
    if user:
        client.force_login(user)
    return client.get(url)


# (url name, kwargs builder, expected status per role); 302 = sent to log in.
PUBLIC = dict.fromkeys(ROLES, 200)
LOGGED_IN = {**PUBLIC, "anonymous": 302}
MANAGERS = {
    "anonymous": 302,
    "volunteer": 403,
    "member": 403,
    "lead": 200,
    "lead_member": 200,
    "coordinator": 200,
}

PAGES = [
    ("projects:index", lambda w: {}, PUBLIC),
    ("projects:feed", lambda w: {}, PUBLIC),
    ("projects:detail", lambda w: {"slug": w["project"].slug}, PUBLIC),
    ("projects:propose", lambda w: {}, LOGGED_IN),
    ("projects:mine", lambda w: {}, LOGGED_IN),
    ("projects:apply", lambda w: {"slug": w["project"].slug, "need_id": w["need"].pk}, LOGGED_IN),
    ("projects:manage", lambda w: {"slug": w["project"].slug}, MANAGERS),
    ("projects:add_need", lambda w: {"slug": w["project"].slug}, MANAGERS),
    ("projects:edit_need", lambda w: {"slug": w["project"].slug, "pk": w["need"].pk}, MANAGERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,kwargs,expected", PAGES, ids=[p[0] for p in PAGES])
def test_each_page_answers_each_role_as_expected(client, world, role, name, kwargs, expected):
    response = _get(client, world, role, reverse(name, kwargs=kwargs(world)))
    assert response.status_code == expected[role]
    if expected[role] == 302:
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_decide_on_applications(client, world, role):
    user = world["users"][role]
    if user:
        client.force_login(user)
    application = world["application"]
    url = reverse("projects:decide", kwargs={"slug": world["project"].slug, "pk": application.pk})
    response = client.post(url, {"decision": "accept"})
    application.refresh_from_db()
    assert (
        response.status_code
        == {**MANAGERS, "lead": 302, "lead_member": 302, "coordinator": 302}[role]
    )
    assert (application.status == "accepted") == (MANAGERS[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_edit_the_project_page(client, world, role):
    user = world["users"][role]
    if user:
        client.force_login(user)
    project = world["project"]
    data = {
        "title": "Nouveau titre",
        "pitch": project.pitch,
        "problem": project.problem,
        "beneficiaries": "Les communes",
        "one_month_deliverable": "Un prototype",
        "help_needed": "Du design",
        "theme": project.theme,
        "expected_weeks": 4,
        "remote": "on",
    }
    client.post(reverse("projects:manage", kwargs={"slug": project.slug}), data)
    project.refresh_from_db()
    assert (project.title == "Nouveau titre") == (MANAGERS[role] == 200)


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "member", "lead", "coordinator"])
def test_only_members_and_managers_post_news(client, world, role):
    user = world["users"][role]
    if user:
        client.force_login(user)
    project = world["project"]
    client.post(reverse("projects:post_update", kwargs={"slug": project.slug}), {"body": "Hop"})
    assert project.updates.exists() == (role in ("member", "lead", "coordinator"))


def test_a_volunteer_cannot_touch_someone_elses_membership_application_or_search(client):
    membership = MembershipFactory()
    application = ApplicationFactory()
    search = SavedSearchFactory()
    client.force_login(UserFactory())
    assert client.post(reverse("projects:leave", args=[membership.pk])).status_code == 404
    assert client.post(reverse("projects:extend", args=[membership.pk])).status_code == 404
    assert client.post(reverse("projects:withdraw", args=[application.pk])).status_code == 404
    response = client.post(reverse("projects:update_search", args=[search.pk]), {"delete": "1"})
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.left_at is None


def _post_only_urls(world):
    """Every URL that writes, with what an anonymous visitor might post to it."""
    membership = Membership.objects.filter(project=world["project"]).first()
    search = SavedSearchFactory(user=world["users"]["member"])
    slug = world["project"].slug
    return {
        "projects:save_search": ({}, {"name": "x", "frequency": "daily", "query": ""}),
        "projects:update_search": ({"pk": search.pk}, {"delete": "1"}),
        "projects:leave": ({"pk": membership.pk}, {}),
        "projects:extend": ({"pk": membership.pk}, {}),
        "projects:withdraw": ({"pk": world["application"].pk}, {}),
        "projects:post_update": ({"slug": slug}, {"body": "Hop"}),
        "projects:decide": (
            {"slug": slug, "pk": world["application"].pk},
            {"decision": "accept"},
        ),
        "projects:apply": (
            {"slug": slug, "need_id": world["need"].pk},
            {"message": "Je viens"},
        ),
        "projects:propose": ({}, {"title": "Idée"}),
        "projects:write_to_team": ({"slug": slug}, {"subject": "Point", "body": "Demain"}),
    }


def test_every_url_of_the_app_is_walked_by_these_tests(world):
    from projects.urls import urlpatterns

    walked = {name for name, _kwargs, _expected in PAGES} | set(_post_only_urls(world))
    assert {f"projects:{p.name}" for p in urlpatterns} == walked


def _written_state():
    from projects.models import Application, Project, SavedSearch, TeamMessage, Update

    return (
        Project.objects.count(),
        Application.objects.filter(status="pending").count(),
        Membership.objects.filter(left_at__isnull=True).count(),
        SavedSearch.objects.count(),
        Update.objects.count(),
        TeamMessage.objects.count(),
    )


def test_an_anonymous_visitor_writes_nothing_anywhere(client, world):
    urls = _post_only_urls(world)
    before = _written_state()
    for name, (kwargs, data) in urls.items():
        response = client.post(reverse(name, kwargs=kwargs), data)
        assert response.status_code == 302, name
        assert reverse("account_login") in response["Location"], name
    assert _written_state() == before


def test_a_member_with_the_lead_role_posts_news_too(client, world):
    client.force_login(world["users"]["lead_member"])
    project = world["project"]
    client.post(reverse("projects:post_update", kwargs={"slug": project.slug}), {"body": "Hop"})
    assert project.updates.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_write_to_the_team(client, world, role):
    from projects.models import TeamMessage

    user = world["users"][role]
    if user:
        client.force_login(user)
    url = reverse("projects:write_to_team", kwargs={"slug": world["project"].slug})
    response = client.post(url, {"subject": "Point", "body": "Demain 10 h"})
    expected = {**MANAGERS, "lead": 302, "lead_member": 302, "coordinator": 302}[role]
    assert response.status_code == expected
    assert TeamMessage.objects.exists() == (MANAGERS[role] == 200)
