"""The call-up admin as a coordinator uses it: places by name, the launch as the next
step, what a launch says of quiet hours, live answers, French labels, named inputs."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from missions.display import human_duration
from missions.models import Alert, Mobilization
from tests.factories import AlertFactory, CoordinatorFactory, CrisisFactory, UserFactory

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/missions/mobilization/add/"


def admin_url(name, mobilization):
    return reverse(f"admin:missions_mobilization_{name}", args=[mobilization.pk])


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory())
    return client


def callup_form(crisis, **overrides):
    start = timezone.localtime() + datetime.timedelta(days=1)
    data = {
        "crisis": crisis.pk,
        "title": "Renfort maraudes",
        "ask": "Coordonner les maraudes.",
        "headcount": "3",
        "starts_at_0": start.date().isoformat(),
        "starts_at_1": "09:00:00",
        "ends_at_0": (start + datetime.timedelta(days=7)).date().isoformat(),
        "ends_at_1": "18:00:00",
        "response_deadline_0": start.date().isoformat(),
        "response_deadline_1": "08:00:00",
        "max_waves": "3",
        "wave_hours": "4",
    }
    data.update(overrides)
    return data


# --- 1. Régions and départements by name ---------------------------------------------


def test_the_form_lists_regions_and_departements_by_name(coordinator_client):
    page = coordinator_client.get(ADD_URL).text
    assert re.search(r'value="11"[^>]*>\s*Île-de-France', page)
    assert re.search(r'value="75"[^>]*>\s*75 – Paris', page)
    assert "Saisissez du contenu JSON valide" not in page
    assert "[]" not in re.sub(r"<script.*?</script>", "", page, flags=re.S)


def test_ticked_regions_and_departements_are_saved_as_codes(coordinator_client):
    crisis = CrisisFactory()
    data = callup_form(crisis, regions=["11", "84"], departements=["13", "2A"])
    response = coordinator_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    mobilization = Mobilization.objects.get()
    assert (mobilization.regions, mobilization.departements) == (["11", "84"], ["13", "2A"])
    assert mobilization.place == (
        "Sur place : Île-de-France, Auvergne-Rhône-Alpes, Bouches-du-Rhône, Corse-du-Sud"
    )


@pytest.mark.parametrize(
    ("field", "value"), [("regions", "Île-de-France"), ("departements", "99"), ("regions", "[]")]
)
def test_an_unknown_place_is_refused_next_to_its_field(coordinator_client, field, value):
    response = coordinator_client.post(ADD_URL, callup_form(CrisisFactory(), **{field: [value]}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert f"{value} n’en fait pas partie" in errors[field][0]
    assert not Mobilization.objects.exists()


def test_the_crisis_form_takes_regions_by_name_too(coordinator_client):
    response = coordinator_client.post(
        "/admin/missions/crisis/add/",
        {
            "kind": "flood",
            "title": "Crue de la Seine",
            "severity": "orange",
            "regions": ["11"],
            "opened_at_0": "2026-12-01",
            "opened_at_1": "08:00:00",
            "mobilizations-TOTAL_FORMS": "0",
            "mobilizations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    from missions.models import Crisis

    assert Crisis.objects.get(title="Crue de la Seine").regions == ["11"]


def test_wave_one_reaches_the_ticked_departements(coordinator_client):
    marseille = reachable_volunteer(departement="13", region="93")
    reachable_volunteer(departement="06", region="93")  # same région, other département
    mobilization = draft_callup(regions=[], departements=["13"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        coordinator_client.post(admin_url("launch", mobilization))
    assert list(Alert.objects.values_list("volunteer", flat=True)) == [marseille.pk]


# --- 2. Launching is the obvious next step -------------------------------------------


def test_saving_a_new_draft_lands_on_its_page_with_the_launch_button(coordinator_client):
    response = coordinator_client.post(ADD_URL, callup_form(CrisisFactory()), follow=True)
    mobilization = Mobilization.objects.get()
    assert response.redirect_chain[-1][0] == admin_url("change", mobilization)
    assert "Le brouillon « Renfort maraudes » est enregistré" in response.text
    assert "appuyez sur « Lancer la mobilisation… »" in response.text
    button = re.search(r'<a class="button default launch-button" href="([^"]+)"', response.text)
    assert button and button.group(1) == admin_url("launch", mobilization)


def test_save_and_prepare_the_launch_on_a_draft(coordinator_client):
    mobilization = draft_callup()
    page = coordinator_client.get(admin_url("change", mobilization)).text
    assert 'value="Enregistrer et préparer le lancement"' in page
    data = callup_form(mobilization.crisis, title="Renfort maraudes du soir")
    data["skills"] = [s.pk for s in mobilization.skills.all()]
    data["_prepare_launch"] = "1"
    response = coordinator_client.post(admin_url("change", mobilization), data, follow=True)
    assert response.redirect_chain[-1][0] == admin_url("change", mobilization)
    assert "Renfort maraudes du soir" in response.text and "launch-button" in response.text


def test_a_launched_call_up_has_no_launch_button(coordinator_client):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    page = coordinator_client.get(admin_url("change", mobilization)).text
    assert "launch-button" not in page and "_prepare_launch" not in page
    assert admin_url("progress", mobilization) in page


def test_the_list_shows_progress_in_one_compact_column(
    coordinator_client, django_assert_max_num_queries
):
    running = draft_callup(status=Mobilization.Status.LAUNCHED, headcount=5)
    running.current_wave = 1
    running.save()
    AlertFactory.create_batch(2, mobilization=running, response="accepted")
    AlertFactory(mobilization=running, response="declined")
    draft_callup()
    for _ in range(20):
        draft_callup(status=Mobilization.Status.LAUNCHED)
    with django_assert_max_num_queries(12):
        page = coordinator_client.get("/admin/missions/mobilization/").text
    assert "2/5 acceptés · vague 1" in page
    assert "À lancer" in page
    header = re.findall(r'<th scope="col"\s+class="column-(\w+)', page)
    assert len(header) <= 5, header


# --- 3. A launch says which alerts wait for quiet hours --------------------------------


def test_a_launch_in_quiet_hours_says_how_many_alerts_wait_and_until_when(coordinator_client):
    paris = timezone.localtime(timezone.now(), ZoneInfo("Europe/Paris"))
    start = (paris - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (paris + datetime.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    sleeper = reachable_volunteer(departement="75", quiet_hours_start=start, quiet_hours_end=end)
    reachable_volunteer(departement="75", region="11")  # no quiet hours: alerted now
    mobilization = draft_callup()  # orange: quiet hours are kept

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = coordinator_client.post(admin_url("launch", mobilization), follow=True)

    held = Alert.objects.get(volunteer=sleeper)
    assert held.status == Alert.Status.PENDING and held.not_before > timezone.now()
    at = timezone.localtime(held.not_before).strftime("%H:%M")
    assert "Mobilisation lancée : 1 réserviste est alerté maintenant." in response.text
    assert (
        f"1 alerte attend la fin des heures calmes du réserviste ; elle part à {at}."
        in response.text
    )
    progress = coordinator_client.get(admin_url("progress_json", mobilization)).json()
    assert progress["held"] == 1
    assert progress["held_text"].startswith("1 alerte attend la fin des heures calmes")


def test_the_held_sentence_has_plural_forms(coordinator_client):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    later = timezone.now() + datetime.timedelta(hours=3)
    AlertFactory.create_batch(2, mobilization=mobilization, not_before=later)
    progress = coordinator_client.get(admin_url("progress_json", mobilization)).json()
    assert progress["held_text"].startswith(
        "2 alertes attendent la fin des heures calmes des réservistes ; les premières partent à"
    )


# --- 4. Live answers, durations people read, names once --------------------------------


def test_the_progress_json_carries_the_answers_and_a_readable_time_to_fill(coordinator_client):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    launched = timezone.now() - datetime.timedelta(minutes=10)
    Mobilization.objects.filter(pk=mobilization.pk).update(
        launched_at=launched, filled_at=launched + datetime.timedelta(minutes=4, seconds=5)
    )
    named = UserFactory(email="camille@example.org", profile__display_name="Camille Martin")
    AlertFactory(
        mobilization=mobilization,
        volunteer=named,
        status="sent",
        response="accepted",
        responded_at=timezone.now(),
    )
    AlertFactory(
        mobilization=mobilization,
        volunteer=UserFactory(email="x@example.org"),
        status="sent",
        response="declined",
        responded_at=timezone.now(),
    )

    data = coordinator_client.get(admin_url("progress_json", mobilization)).json()

    assert data["time_to_fill"] == "4 min 05 s"
    html = data["answers_html"]
    assert "Camille Martin" in html and html.count("camille@example.org") == 2  # href + text
    assert "&lt;" not in html  # no "x@example.org <x@example.org>"
    assert html.count("x@example.org") == 1  # no name given: the e-mail, once
    assert "Acceptée" in html and "Refusée" in html
    page = coordinator_client.get(admin_url("progress", mobilization)).text
    assert "4 min 05 s" in page and "Camille Martin" in page


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(19, "19 s"), (245, "4 min 05 s"), (7800, "2 h 10 min"), (3 * 86400 + 4 * 3600, "3 j 4 h")],
)
def test_durations_are_said_as_people_say_them(seconds, said):
    assert human_duration(datetime.timedelta(seconds=seconds)) == said


# --- 5. French labels, Django's own "Go" --------------------------------------------


def test_the_french_admin_says_envoyer_and_labels_in_french(coordinator_client):
    mobilization = draft_callup(status=Mobilization.Status.LAUNCHED)
    draft_callup()  # another crisis: the list offers to filter by crisis
    changelist = coordinator_client.get("/admin/missions/mobilization/").text
    assert re.search(r'<button type="submit" class="button"[^>]*>Envoyer</button>', changelist)
    assert "Feu vert" not in changelist
    assert "Par crise" in changelist and "Par crisis" not in changelist
    change = coordinator_client.get(admin_url("change", mobilization)).text
    for french in ("Lancée le", "Lancée par", "Pourvue le", "Clôturée le", "Crise"):
        assert f">{french}" in change, french
    for english in ("Launched at", "Launched by", "Filled at", "Closed at", "Crisis"):
        assert english not in change


# --- 6. Every input of the draft's page has a name ------------------------------------


def test_split_date_and_time_boxes_have_their_own_names(coordinator_client):
    page = coordinator_client.get(admin_url("change", draft_callup())).text
    assert re.search(r'name="starts_at_0"[^>]*aria-label="Début, date"', page) or re.search(
        r'aria-label="[^"]+, date"[^>]*name="starts_at_0"', page
    )
    for name in ("starts_at_1", "ends_at_1", "response_deadline_1"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert re.search(r'aria-label="[^"]+, heure"', tag), tag


# Words spelled the same in both languages.
SAME_IN_FRENCH = {
    *("description", "message", "photo", "latitude", "longitude", "type", "e-mail", "action"),
    *("département", "région", "commune", "communes", "crises", "contacts", "prototype"),
    *("documentation", "GitHub", "LinkedIn", "dossier (PDF)"),
}
OUR_APPS = {"volunteers", "projects", "missions", "lightsoff"}


def test_every_field_of_our_admin_models_has_a_french_name():
    from django.contrib import admin
    from django.utils import translation
    from django.utils.functional import Promise

    untranslated = []
    for model in admin.site._registry:
        options = model._meta
        if options.app_label not in OUR_APPS:
            continue
        names = [("model", options.verbose_name), ("models", options.verbose_name_plural)]
        names += [
            (field.name, field.verbose_name)
            for field in options.get_fields()
            # A generic foreign key (the audit log's target) is no column, no form field.
            if getattr(field, "verbose_name", None) is not None
            and field.name != "id"
            and field.concrete
        ]
        for name, verbose in names:
            with translation.override("en"):
                english = str(verbose)
            with translation.override("fr"):
                french = str(verbose)
            if not isinstance(verbose, Promise) or (
                french == english and english not in SAME_IN_FRENCH
            ):
                untranslated.append(f"{options.label}.{name}: {english}")
    assert untranslated == [], "\n".join(untranslated)


def test_allauth_authenticators_are_named_in_french(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    index = client.get("/admin/").text
    assert "Authentificateurs" in index and "Authenticators" not in index
    listing = client.get("/admin/mfa/authenticator/").text
    assert "authentificateur" in listing
    assert "Authenticator" not in listing.replace("TOTP Authenticator", "")


def test_a_launched_call_up_shows_its_places_by_name(coordinator_client):
    mobilization = draft_callup(
        status=Mobilization.Status.LAUNCHED, regions=["53"], departements=["75"]
    )
    page = coordinator_client.get(admin_url("change", mobilization)).text
    assert "Sur place : Bretagne, Paris" in page
    assert "[&quot;53&quot;]" not in page and '["53"]' not in page


def test_the_mean_time_to_answer_reads_as_a_duration(coordinator_client):
    sent = timezone.now() - datetime.timedelta(hours=3)
    AlertFactory(
        status=Alert.Status.SENT,
        response="accepted",
        sent_at=sent,
        responded_at=sent + datetime.timedelta(hours=2, minutes=10),
    )
    page = coordinator_client.get(reverse("admin:missions_mobilization_responsiveness")).text
    assert "<td>2 h 10 min</td>" in page
