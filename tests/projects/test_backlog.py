from xml.etree import ElementTree

import pytest
from django.urls import reverse

from projects.models import Project, SavedSearch
from tests.factories import (
    AvailabilityFactory,
    NeedFactory,
    ProfileSkillFactory,
    ProjectFactory,
    UserFactory,
    skill,
)

pytestmark = pytest.mark.django_db
URL = "/projects/"


def titles(response):
    return [project.title for project, _reason in response.context["projects"]]


def test_the_backlog_lists_visible_projects_but_not_archived_ones(client):
    ProjectFactory(title="Carte des îlots de fraîcheur")
    ProjectFactory(title="Vieux projet", status=Project.Status.ARCHIVED)
    response = client.get(URL)
    assert response.status_code == 200
    assert titles(response) == ["Carte des îlots de fraîcheur"]


def test_filters_by_theme_status_skill_hours_and_place_stay_in_the_url(client):
    wanted = ProjectFactory(
        title="Annuaire santé mentale", theme=Project.Theme.HEALTH, remote=False, place="Lyon"
    )
    NeedFactory(project=wanted, skill=skill("data-analyse"), hours_per_week=4)
    NeedFactory(project=ProjectFactory(theme=Project.Theme.HEALTH), skill=skill("design-ux"))
    other = ProjectFactory(theme=Project.Theme.HOUSING, remote=False, place="Lyon")
    NeedFactory(project=other, skill=skill("data-analyse"), hours_per_week=4)
    query = (
        f"theme=health&status=open&skills={skill('data-analyse').pk}&hours=8"
        "&where=on_site&place=lyon&q=mentale"
    )
    response = client.get(f"{URL}?{query}")
    assert titles(response) == ["Annuaire santé mentale"]
    # The filters are kept in the form, so the filtered list can be shared and refined.
    form = response.context["filter"].form
    assert form["theme"].value() == "health"
    assert form["q"].value() == "mentale"


def test_a_closed_need_does_not_make_a_project_match_a_skill(client):
    project = ProjectFactory()
    NeedFactory(project=project, skill=skill("data-analyse"), is_open=False)
    response = client.get(f"{URL}?skills={skill('data-analyse').pk}")
    assert titles(response) == []


@pytest.mark.parametrize(
    "query", ["theme=nope", "hours=abc", "skills=999999", "status=archived", "page=zz"]
)
def test_a_bad_filter_gets_a_message_never_a_500(client, query):
    ProjectFactory()
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    if not query.startswith("page"):
        assert response.context["filter"].errors
        assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_backlog_is_paginated_and_pages_keep_the_filters(client):
    for _ in range(21):
        ProjectFactory(theme=Project.Theme.HEALTH)
    response = client.get(f"{URL}?theme=health")
    assert len(titles(response)) == 20
    assert 'href="?theme=health&amp;page=2"' in response.content.decode()
    assert len(titles(client.get(f"{URL}?theme=health&page=2"))) == 1


def test_text_is_shown_escaped(client):
    ProjectFactory(title="<script>alert(1)</script>", pitch="<b>gras</b>")
    html = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_for_you_puts_projects_needing_the_volunteers_skills_first_and_says_why(client):
    volunteer = UserFactory()
    ProfileSkillFactory(profile=volunteer.profile, skill=skill("design-ux"))
    ProfileSkillFactory(profile=volunteer.profile, skill=skill("data-analyse"))
    AvailabilityFactory(profile=volunteer.profile, hours_per_week=10)
    NeedFactory(
        project=ProjectFactory(title="Sans rapport"), skill=skill("droit-public"), hours_per_week=30
    )
    both = ProjectFactory(title="Design et données")
    NeedFactory(project=both, skill=skill("design-ux"), hours_per_week=8)
    NeedFactory(project=both, skill=skill("data-analyse"), hours_per_week=20)
    one = ProjectFactory(title="Design seulement")
    NeedFactory(project=one, skill=skill("design-ux"), hours_per_week=30)
    ProjectFactory(title="Le plus récent")
    client.force_login(volunteer)

    response = client.get(f"{URL}?order=for_you")

    assert titles(response)[:2] == ["Design et données", "Design seulement"]
    reasons = {p.title: r for p, r in response.context["projects"]}
    design = skill("design-ux").name
    data = skill("data-analyse").name
    assert reasons["Design et données"].startswith(
        f"correspond à vos compétences : {', '.join(sorted([design, data]))}"
    )
    assert "10 h par semaine" in reasons["Design et données"]
    assert "10 h" not in reasons["Design seulement"]
    assert reasons["Sans rapport"] == ""
    assert 'data-testid="for-you"' in response.content.decode()


def test_for_you_recommends_only_projects_the_volunteer_can_still_join(client):
    volunteer = UserFactory()
    ProfileSkillFactory(profile=volunteer.profile, skill=skill("design-ux"))
    for status in ("open", "in_progress", "delivered", "handed_over", "idea", "archived"):
        # Each needs the volunteer's skill through a role left open.
        NeedFactory(project=ProjectFactory(title=f"Projet {status}", status=status))
    client.force_login(volunteer)

    response = client.get(f"{URL}?order=for_you")

    assert sorted(titles(response)) == ["Projet in_progress", "Projet open"]
    html = response.content.decode()
    assert "Projet delivered" not in html and "Projet handed_over" not in html
    # Without "for you", the delivered project is still in the backlog, as history.
    assert "Projet delivered" in titles(client.get(URL))


def test_for_you_is_ignored_for_anonymous_visitors(client):
    ProjectFactory()
    response = client.get(f"{URL}?order=for_you")
    assert response.status_code == 200
    assert not response.context["backlog"].for_you


def test_the_backlog_query_count_does_not_grow_with_projects(client, django_assert_max_num_queries):
    volunteer = UserFactory()
    ProfileSkillFactory(profile=volunteer.profile, skill=skill("design-ux"))
    for _ in range(3):
        NeedFactory(project=ProjectFactory())
    client.force_login(volunteer)
    url = f"{URL}?order=for_you&skills={skill('design-ux').pk}"
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for _ in range(15):
        NeedFactory(project=ProjectFactory())
        NeedFactory(project=ProjectFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(titles(response)) == 20


def test_a_volunteer_saves_the_current_filters(client):
    volunteer = UserFactory()
    client.force_login(volunteer)
    response = client.post(
        reverse("projects:save_search"),
        {"query": "theme=health&page=3&q=", "name": "Santé", "frequency": "daily"},
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get(user=volunteer)
    assert (search.name, search.query, search.frequency) == ("Santé", "theme=health", "daily")


def test_saving_a_search_without_a_name_says_so_on_the_field(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("projects:save_search"), {"query": "theme=health", "frequency": "daily"}
    )
    assert response.status_code == 200
    assert response.context["save_form"].errors["name"]
    assert not SavedSearch.objects.exists()


def test_the_atom_feed_lists_newly_opened_projects(client):
    ProjectFactory(title="Ouvert")
    ProjectFactory(title="Idée", status=Project.Status.IDEA, opened_at=None)
    response = client.get(reverse("projects:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<title>Ouvert</title>" in body
    assert "Idée" not in body


def test_the_atom_feed_links_and_ids_come_from_site_url(client, settings):
    settings.SITE_URL = "https://reserve.example.org"
    project = ProjectFactory(title="Ouvert")
    # Whatever host the request came through, the feed names the public site.
    body = client.get(reverse("projects:feed"), HTTP_HOST="localhost").content.decode()
    feed = ElementTree.fromstring(body)  # noqa: S314 - our own feed
    atom = "{http://www.w3.org/2005/Atom}"
    links = [link.get("href") for link in feed.iter(f"{atom}link")]
    ids = [element.text for element in feed.iter(f"{atom}id")]
    assert links and ids
    for url in links + ids:
        assert url.startswith("https://reserve.example.org/"), url
    assert f"https://reserve.example.org{project.get_absolute_url()}" in ids
    assert "localhost" not in body


def test_the_home_page_counts_projects_by_status(client):
    ProjectFactory(status=Project.Status.IDEA)
    ProjectFactory(status=Project.Status.OPEN)
    ProjectFactory(status=Project.Status.IN_PROGRESS)
    ProjectFactory(status=Project.Status.HANDED_OVER)
    counts = {key: value for key, _label, value in client.get("/").context["counts"]}
    assert counts["projects_ideas"] == 1
    assert counts["projects_open"] == 1
    assert counts["projects_in_progress"] == 1
    assert counts["projects_delivered"] == 1
