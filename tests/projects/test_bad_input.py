"""Whatever is typed in the backlog's URL or the idea form, the answer is never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

KEYS = ["q", "theme", "status", "skills", "hours", "where", "place", "page", "order"]
TEXT = st.text(max_size=40)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.dictionaries(st.sampled_from(KEYS), st.lists(TEXT, max_size=3), max_size=5))
def test_any_backlog_query_gets_a_page_never_a_500(client, params):
    ProjectFactory(title="<b>x</b>")
    query = [(key, value.replace("\x00", "")) for key, values in params.items() for value in values]
    response = client.get("/projects/", query)
    assert response.status_code == 200
    assert "<b>x</b>" not in response.content.decode()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=TEXT,
    problem=st.text(max_size=6000),
    weeks=st.one_of(st.integers(), TEXT),
    theme=TEXT,
)
def test_any_idea_form_input_gets_a_page_never_a_500(client, title, problem, weeks, theme):
    client.force_login(UserFactory())
    data = {"title": title, "pitch": title, "problem": problem, "expected_weeks": weeks}
    data["theme"] = theme
    response = client.post(
        "/projects/propose/", {k: str(v).replace("\x00", "") for k, v in data.items()}
    )
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("skill", ["99999999999999999999", "-1", "1e5", "٣"])
def test_an_impossible_skill_id_in_the_url_is_a_page_not_a_500(client, skill):
    response = client.get("/projects/", {"skills": skill})
    assert response.status_code == 200


def test_a_search_with_bad_filters_is_not_saved_and_says_why(client):
    from projects.models import SavedSearch

    client.force_login(UserFactory())
    response = client.post(
        "/projects/searches/save/",
        {"name": "Mes projets", "frequency": "weekly", "query": "theme=nope"},
    )
    assert response.status_code == 200
    assert "Corrigez les filtres avant d’enregistrer cette recherche." in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_search_too_long_to_keep_is_refused_with_a_message(client):
    from projects.models import SavedSearch

    client.force_login(UserFactory())
    query = "&".join(f"place={'x' * 70}{i}" for i in range(20))
    response = client.post(
        "/projects/searches/save/", {"name": "Long", "frequency": "daily", "query": query}
    )
    assert response.status_code == 200
    assert "Ces filtres sont trop longs pour être enregistrés." in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_line_break_in_a_title_does_not_stop_the_mail(mailoutbox):
    from projects import services
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(need__project__title="Une\nidée")
    services.notify_managers_of_application(application.pk)
    assert mailoutbox and "\n" not in mailoutbox[-1].subject
    assert "Une idée" in mailoutbox[-1].subject
