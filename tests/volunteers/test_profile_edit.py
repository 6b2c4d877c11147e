import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AvailabilityFactory, ProfileSkillFactory, UserFactory, skill
from volunteers.models import Profile

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def profile_data(**extra):
    """A valid POST of the profile page with no skill row and no period row."""
    return {
        "display_name": "Camille",
        "bio": "",
        "tags": "",
        "departement": "75",
        "employer": "",
        "github_url": "",
        "linkedin_url": "",
        "portfolio_url": "",
        "alert_by_email": "on",
        "phone": "",
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:00",
        "status": "active",
        "paused_until": "",
        **_management("skills", 0, 0),
        **_management("periods", 0, 0),
        **extra,
    }


@pytest.fixture
def volunteer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _post(client, **extra):
    return client.post(reverse("volunteers:profile_edit"), profile_data(**extra))


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("volunteers:profile_edit"))
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_shows_the_own_profile_only(client, volunteer):
    UserFactory(profile__display_name="Someone Else")
    response = client.get(reverse("volunteers:profile_edit"))
    assert response.context["form"].instance.user == volunteer
    assert "Someone Else" not in response.content.decode()


def test_saving_the_profile_with_a_skill_and_a_period(client, volunteer):
    response = _post(
        client,
        bio="Développeuse",
        tags="Django, logement social, django",
        languages=["fr", "en"],
        crisis_opt_in="on",
        alert_by_sms="on",
        phone="06 12 34 56 78",
        github_url="https://github.com/camille",
        **_management("skills", 1, 0),
        **{"skills-0-skill": skill("design-ux").pk, "skills-0-level": "3"},
        **{"skills-0-intent": "offered"},
        **_management("periods", 1, 0),
        **{
            "periods-0-kind": "available",
            "periods-0-starts_on": (TODAY + 5 * DAY).isoformat(),
            "periods-0-ends_on": (TODAY + 23 * DAY).isoformat(),
            "periods-0-hours_per_week": "30",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=volunteer)
    assert profile.tags == ["Django", "logement social"]
    assert profile.languages == ["fr", "en"]
    assert profile.phone == "+33612345678"
    assert profile.region == "11"
    assert profile.profile_skills.get().level == 3
    assert profile.availabilities.get().hours_per_week == 30


def test_editing_and_removing_a_period(client, volunteer):
    period = AvailabilityFactory(profile=volunteer.profile)
    response = _post(
        client,
        **_management("periods", 1, 1),
        **{
            "periods-0-id": period.pk,
            "periods-0-kind": "available",
            "periods-0-starts_on": period.starts_on.isoformat(),
            "periods-0-ends_on": (period.ends_on + 7 * DAY).isoformat(),
            "periods-0-hours_per_week": "12",
        },
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.hours_per_week == 12
    _post(
        client,
        **_management("periods", 1, 1),
        **{
            "periods-0-id": period.pk,
            "periods-0-kind": "available",
            "periods-0-starts_on": period.starts_on.isoformat(),
            "periods-0-ends_on": period.ends_on.isoformat(),
            "periods-0-hours_per_week": "12",
            "periods-0-DELETE": "on",
        },
    )
    assert not volunteer.profile.availabilities.exists()


def test_a_volunteer_cannot_edit_someone_elses_period(client, volunteer):
    other = AvailabilityFactory(hours_per_week=5)
    _post(
        client,
        **_management("periods", 1, 1),
        **{
            "periods-0-id": other.pk,
            "periods-0-kind": "available",
            "periods-0-starts_on": other.starts_on.isoformat(),
            "periods-0-ends_on": other.ends_on.isoformat(),
            "periods-0-hours_per_week": "40",
        },
    )
    other.refresh_from_db()
    assert other.hours_per_week == 5


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Saisissez un numéro de téléphone valide"),
        ("github_url", "https://gitlab.com/camille", "Saisissez l’adresse d’une page GitHub."),
        ("linkedin_url", "pas une adresse", "Saisissez une URL valide."),
        ("display_name", "x" * 81, "Assurez-vous que cette valeur comporte au plus 80 caractères"),
        ("bio", "x" * 1001, "au plus 1000 caractères"),
        ("paused_until", "31/02/2026", "Saisissez une date valide."),
    ],
)
def test_bad_input_is_answered_next_to_the_field_and_kept(client, volunteer, field, value, message):
    extra = {field: value}
    if field == "paused_until":
        extra["status"] = "paused"
    response = _post(client, **extra)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert value[:80] in response.content.decode()


def test_sms_alerts_need_a_phone_number(client, volunteer):
    response = _post(client, crisis_opt_in="on", alert_by_sms="on")
    assert "phone" in response.context["form"].errors


def test_a_call_up_opt_in_needs_a_channel(client, volunteer):
    response = _post(client, crisis_opt_in="on", alert_by_email="")
    assert "alert_by_email" in response.context["form"].errors


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        (10, 3, "La date de fin est antérieure à la date de début."),
        (-20, -10, "Cette période est déjà terminée."),
    ],
)
def test_bad_periods_are_refused_next_to_the_end_date(client, volunteer, starts, ends, message):
    response = _post(
        client,
        **_management("periods", 1, 0),
        **{
            "periods-0-kind": "available",
            "periods-0-starts_on": (TODAY + starts * DAY).isoformat(),
            "periods-0-ends_on": (TODAY + ends * DAY).isoformat(),
            "periods-0-hours_per_week": "10",
        },
    )
    assert response.status_code == 200
    assert response.context["availability_formset"].forms[0].errors["ends_on"] == [message]
    assert not volunteer.profile.availabilities.exists()


def test_too_many_hours_per_week_are_refused(client, volunteer):
    response = _post(
        client,
        **_management("periods", 1, 0),
        **{
            "periods-0-kind": "available",
            "periods-0-starts_on": TODAY.isoformat(),
            "periods-0-ends_on": (TODAY + DAY).isoformat(),
            "periods-0-hours_per_week": "200",
        },
    )
    assert "hours_per_week" in response.context["availability_formset"].forms[0].errors


def test_the_same_skill_twice_is_refused(client, volunteer):
    ux = skill("design-ux").pk
    response = _post(
        client,
        **_management("skills", 2, 0),
        **{"skills-0-skill": ux, "skills-0-level": "2", "skills-0-intent": "offered"},
        **{"skills-1-skill": ux, "skills-1-level": "3", "skills-1-intent": "learning"},
    )
    assert response.status_code == 200
    assert response.context["skill_formset"].non_form_errors()


def test_pausing_with_an_end_date_stops_matching_until_then(client, volunteer):
    from volunteers.selectors import match_volunteers

    response = _post(client, status="paused", paused_until=(TODAY + 10 * DAY).isoformat())
    assert response.status_code == 302
    profile = Profile.objects.get(user=volunteer)
    assert profile.is_paused
    assert profile not in match_volunteers()


def test_a_pause_end_date_in_the_past_is_refused(client, volunteer):
    response = _post(client, status="paused", paused_until=(TODAY - DAY).isoformat())
    assert "paused_until" in response.context["form"].errors


def test_a_pause_that_ended_does_not_stop_saving_the_rest(client, volunteer):
    Profile.objects.filter(user=volunteer).update(status="paused", paused_until=TODAY - DAY)
    response = _post(
        client, status="paused", paused_until=(TODAY - DAY).isoformat(), bio="De retour"
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=volunteer).bio == "De retour"


def test_script_typed_in_the_bio_is_shown_escaped(client, volunteer):
    _post(client, bio='<img src=x onerror="alert(1)">')
    html = client.get(reverse("volunteers:profile_edit")).content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x" in html


def test_the_page_reads_a_fixed_number_of_queries(client, volunteer, django_assert_max_num_queries):
    for slug in ("design-ux", "redaction", "dataviz", "marketing"):
        ProfileSkillFactory(profile=volunteer.profile, skill=skill(slug))
    AvailabilityFactory.create_batch(4, profile=volunteer.profile)
    with django_assert_max_num_queries(12):
        client.get(reverse("volunteers:profile_edit"))


def test_a_phone_number_typed_with_spaces_is_stored_in_e164(client, volunteer):
    response = _post(client, phone="+33 6 12 34 56 78", alert_by_sms="on")
    assert response.status_code == 302
    assert Profile.objects.get(user=volunteer).phone == "+33612345678"


def test_the_language_of_our_e_mails_is_chosen_on_the_profile(client, volunteer):
    assert _post(client, language="en").status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.language == "en"


def test_leaving_the_departement_empty_drops_its_region(client, volunteer):
    _post(client)
    assert Profile.objects.get(user=volunteer).region == "11"
    _post(client, departement="", remote_only="on")
    profile = Profile.objects.get(user=volunteer)
    assert (profile.departement, profile.region) == ("", "")
