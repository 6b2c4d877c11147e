"""Random input thrown at the profile form and the export view: never a 500."""

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory
from volunteers.forms import AvailabilityFormSet, ProfileForm, SkillFormSet
from volunteers.models import Profile

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=120)
value = st.one_of(
    text,
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["", "on", "paused", "active", "archived", "+33612345678", "75", "2A"]),
)
PROFILE_FIELDS = list(ProfileForm.base_fields)
SKILL_FIELDS = ["skill", "level", "intent", "id", "DELETE"]
PERIOD_FIELDS = ["kind", "starts_on", "ends_on", "hours_per_week", "note", "id", "DELETE"]


@st.composite
def profile_posts(draw):
    data = {name: draw(value) for name in PROFILE_FIELDS if draw(st.booleans())}
    for prefix, fields in (("skills", SKILL_FIELDS), ("periods", PERIOD_FIELDS)):
        total = draw(st.one_of(st.integers(0, 3).map(str), value))
        data[f"{prefix}-TOTAL_FORMS"] = total
        data[f"{prefix}-INITIAL_FORMS"] = draw(st.one_of(st.just("0"), value))
        for i in range(3):
            for field in fields:
                if draw(st.booleans()):
                    data[f"{prefix}-{i}-{field}"] = draw(value)
    return data


@pytest.fixture
def volunteer(client):
    user = UserFactory()
    client.force_login(user)
    return user


@FUZZ
@given(data=profile_posts())
def test_the_profile_page_never_fails_on_random_input(client, volunteer, data):
    response = client.post(reverse("volunteers:profile_edit"), data)
    assert response.status_code in (200, 302)


@FUZZ
@given(data=profile_posts())
def test_the_profile_forms_never_raise_on_random_input(volunteer, data):
    profile = Profile.objects.get(user=volunteer)
    forms = [
        ProfileForm(data, instance=profile),
        SkillFormSet(data, instance=profile, prefix="skills"),
        AvailabilityFormSet(data, instance=profile, prefix="periods"),
    ]
    for form in forms:
        form.is_valid()  # never raises


# A profile that saves; the test below changes one field of it at a time.
VALID_POST = {
    "display_name": "Ada",
    "departement": "75",
    "quiet_hours_start": "22:00",
    "quiet_hours_end": "07:00",
    "status": "active",
    "alert_by_email": "on",
    "language": "fr",
    "skills-TOTAL_FORMS": "0",
    "skills-INITIAL_FORMS": "0",
    "periods-TOTAL_FORMS": "0",
    "periods-INITIAL_FORMS": "0",
}
TEXT_FIELDS = ["display_name", "bio", "tags", "employer", "phone", "github_url", "portfolio_url"]


def test_the_valid_post_saves():
    assert ProfileForm(VALID_POST, instance=UserFactory().profile).is_valid()


@FUZZ
@given(field=st.sampled_from(TEXT_FIELDS), typed=st.text(max_size=300))
def test_one_bad_field_is_answered_on_that_field_and_keeps_what_was_typed(
    client, volunteer, field, typed
):
    response = client.post(reverse("volunteers:profile_edit"), {**VALID_POST, field: typed})
    if response.status_code == 302:  # accepted: what was typed (cleaned) is saved
        profile = Profile.objects.get(user=volunteer)
        assert "\x00" not in str(getattr(profile, field))
        return
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {field}
    assert form.data[field] == typed  # shown again, not lost


@FUZZ
@given(
    bio=text,
    tags=st.lists(st.text(min_size=1, max_size=40), max_size=5),
    params=st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3),
)
def test_the_export_is_always_valid_json_of_what_was_typed(client, volunteer, bio, tags, params):
    bio = bio.replace("\x00", "")
    tags = [t.replace("\x00", "") for t in tags]
    Profile.objects.filter(user=volunteer).update(bio=bio, tags=tags)
    response = client.get(reverse("volunteers:export"), params)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["profile"]["bio"] == bio
    assert data["profile"]["tags"] == tags
