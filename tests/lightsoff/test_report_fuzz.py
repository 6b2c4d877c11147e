"""Random input thrown at the report endpoint: never a 500."""

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

_text = st.text(max_size=300)
_value = st.one_of(
    _text,
    st.floats(min_value=-200, max_value=200).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**20), 10**20).map(str),
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "latitude": _value,
            "longitude": _value,
            "name": _text,
            "address": _text,
            "postcode": _text,
            "city": _text,
            "seen_at": _value,
            "known_shop": _value,
            "website": _text,
            "lit_kind": _text,
            "size": _text,
        },
    )
)
def test_random_reports_never_cause_a_server_error(client, data, settings_override):
    valid = {
        "latitude": "48.8566",
        "longitude": "2.3522",
        "name": "Boulangerie",
        "seen_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "lit_kind": "window",
    }
    response = client.post(reverse("lightsoff:report"), {**valid, **data})
    assert response.status_code in (302, 400, 429)


@pytest.fixture
def settings_override(settings):
    settings.LIGHTSOFF_RATE_LIMITS = {"report": (10**6, 3600)}
