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
