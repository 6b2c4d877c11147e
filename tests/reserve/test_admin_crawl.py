"""Every admin add and change page, crawled as a superuser, with empty and hostile values
in every field: no 500, and a value of the wrong type is answered on its field.

The probe of the running site found 105 answers 500 here (read-only add pages that
could not save; autocomplete fields given "abc"). The walk covers every model the admin
registers, so a model added later is crawled too."""

import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    AlertFactory,
    ApplicationFactory,
    ContactActionFactory,
    CrisisFactory,
    MembershipFactory,
    MobilizationFactory,
    NeedFactory,
    PartnerFactory,
    QualificationFactory,
    ReporterSubscriptionFactory,
    SavedSearchFactory,
    SightingFactory,
    UpdateFactory,
    UserFactory,
    VolunteerContactTaskFactory,
)
from volunteers import audit

pytestmark = pytest.mark.django_db

HOSTILE = ["abc", "", "\x00", "9" * 30, "-1", "<script>x</script>", "x" * 5000]
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
# Kinds of field where "abc" is always wrong: the form must say so on the field.
TYPED = {"number", "select", "date", "time", "foreignkey"}


class FormFields(HTMLParser):
    """The fields of the admin's change form, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_form = False
        self.fields = {}  # name -> {"kind", "value", "options"}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("id") or "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        classes = attrs.get("class") or ""
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self.fields.setdefault(name, {"kind": kind, "value": None, "options": []})
                return
            if "vDateField" in classes:
                kind = "date"
            elif "vTimeField" in classes:
                kind = "time"
            elif "vForeignKeyRawIdAdminField" in classes or "vManyToManyRawIdAdminField" in classes:
                kind = "foreignkey"
            self.fields[name] = {"kind": kind, "value": attrs.get("value", ""), "options": []}
        elif tag == "select" and name:
            self._select = name
            self.fields[name] = {
                "kind": "select",
                "value": [] if "multiple" in attrs else "",
                "options": [],
            }
        elif tag == "option" and self._select:
            field = self.fields[self._select]
            value = attrs.get("value", "")
            field["options"].append(value)
            if "selected" in attrs:
                if isinstance(field["value"], list):
                    field["value"].append(value)
                else:
                    field["value"] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = {"kind": "textarea", "value": "", "options": []}

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea]["value"] += data.lstrip("\n")


def parse_form(html):
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def submitted(fields):
    data = {}
    for name, field in fields.items():
        if field["value"] is None:
            continue
        data[name] = field["value"]
    return data


@pytest.fixture
def world():
    """One object of every kind the admin shows."""
    ApplicationFactory()
    PartnerFactory()
    MembershipFactory()
    NeedFactory()
    QualificationFactory()
    UpdateFactory()
    SavedSearchFactory()
    CrisisFactory()
    mobilization = MobilizationFactory()
    AlertFactory(mobilization=mobilization)
    mobilization.follow_ups.create(audience="accepted", subject="Point à 18 h", body="Demain")
    SightingFactory()
    ContactActionFactory()
    VolunteerContactTaskFactory()
    ReporterSubscriptionFactory()
    from lightsoff.models import Commune, Round, TownHall

    nice = Commune.objects.create(
        insee_code="06088",
        name="Nice",
        departement="06",
        region="93",
        latitude=43.7,
        longitude=7.27,
    )
    nice.postcodes.create(postcode="06000")
    TownHall.objects.create(commune=nice, name="Mairie de Nice", email="mairie@nice.example")

    Round.objects.create(
        planned_for="2026-12-24", volunteer=UserFactory(), latitude=48.85, longitude=2.35
    )
    from lightsoff.services import outreach
    from tests.factories import ShopFactory

    outreach_shop = ShopFactory(email="shop@example.org", phone="06 12 34 56 78")
    outreach.request_platform_contact(shop=outreach_shop)
    outreach.submit_answer(shop=outreach_shop, kind="exception", exception_reference="P-1")
    outreach.opt_out(outreach_shop)
    from lightsoff.models import Commune, Referral, TownHallAction, TownHallAgent

    paris11 = Commune.objects.create(insee_code="75111", name="Paris 11e", departement="75")
    Referral.objects.create(shop=outreach_shop, commune=paris11, pdf="lightsoff/dossiers/x.pdf")
    TownHallAgent.objects.create(user=UserFactory()).communes.add(paris11)
    TownHallAction.objects.create(shop=outreach_shop, kind="fine", done_on="2026-11-30")
    TOTP.activate(UserFactory(), generate_totp_secret())
    audit.record(by=UserFactory(), action="missions.close", target=mobilization)


@pytest.fixture
def superuser_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


# Every model the admin shows, by label ("lightsoff.Shop").
MODELS = {model._meta.label: model for model in admin.site._registry}


def _page_urls(model):
    """The add page, and the change page of the first object of the world."""
    opts = model._meta
    instance = model._default_manager.order_by("pk").first()
    assert instance is not None, f"the crawl's world has no {opts.label}: add one"
    return [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk]),
    ]


def _crawl_page(client, url):
    """GET the form, then POST it empty, hostile all at once, and hostile one field at
    a time. Returns a list of problems."""
    problems = []
    page = client.get(url)
    if page.status_code == 403:  # add not allowed: a POST must be refused the same way
        response = client.post(url, {"_save": "Save"})
        if response.status_code != 403:
            problems.append(f"{url}: add refused on GET but POST gave {response.status_code}")
        return problems
    if page.status_code != 200:
        return [f"{url}: GET {page.status_code}"]
    fields = parse_form(page.content.decode())
    defaults = submitted(fields)

    def post(data, label):
        response = client.post(url, {**data, "_save": "Save"})
        if response.status_code >= 500:
            problems.append(f"{url} [{label}]: {response.status_code}")
        return response

    post({}, "only _save")
    # The inlines' management fields keep their values here: thirty nines in
    # TOTAL_FORMS make Django build its 2,000 forms at most, slow but no error.
    management = {name: v for name, v in defaults.items() if name.endswith(MANAGEMENT)}
    for value in HOSTILE:
        post({**dict.fromkeys(fields, value), **management}, f"all fields = {value[:12]!r}")
    for name, field in fields.items():
        # One field at a time, the others as the page gave them (so that the form can
        # get as far as saving): each field of the object and of the first row of each
        # inline; the other rows are the same fields again.
        if name == "csrfmiddlewaretoken" or re.search(r"-([1-9]\d*|__prefix__)-|^initial-", name):
            continue
        typed = field["kind"] in TYPED and "abc" not in field["options"]
        for value in ("abc", "") if typed else ("",):
            response = post({**defaults, name: value}, f"{name} = {value[:12]!r}")
            wrong_type = value == "abc" and not name.endswith(MANAGEMENT)
            if wrong_type and response.status_code < 500:
                text = response.content.decode()
                # A split date and time (seen_at_0, seen_at_1) is one field: seen_at.
                field_name = name[:-2] if name[-2:] in ("_0", "_1") else name
                if response.status_code != 200 or f'id="id_{field_name}_error"' not in text:
                    problems.append(
                        f"{url} [{name} = 'abc']: {response.status_code}, no error on the field"
                    )
    return problems


@pytest.mark.parametrize("label", sorted(MODELS))
def test_every_admin_form_answers_hostile_values_without_a_500(label, world, superuser_client):
    problems = []
    for url in _page_urls(MODELS[label]):
        problems += _crawl_page(superuser_client, url)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("label", sorted(MODELS))
def test_every_changelist_takes_hostile_filters_without_a_500(label, world, superuser_client):
    model = MODELS[label]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    hostile_queries = [
        {"o": "abc"},
        {"o": "99.-99"},
        {"p": "abc"},
        {"p": "99999"},
        {"q": "\x00"},
        {"q": "x" * 5000},
        {"id__gte": "abc"},
        {"pk__in": "1,abc"},
        {"all": "", "e": "1"},
        {"_popup": "1", "_to_field": "password"},
    ]
    errors = {}
    for query in hostile_queries:
        status = superuser_client.get(url, query).status_code
        if status >= 500:
            errors[str(query)[:40]] = status
    assert errors == {}


def test_read_only_entries_have_no_add_page(superuser_client):
    for name in ("lightsoff_reportersubscription_add", "lightsoff_contactaction_add"):
        response = superuser_client.post(reverse(f"admin:{name}"), {"_save": "Save"})
        assert response.status_code == 403


def test_an_autocomplete_field_given_letters_answers_on_the_field(superuser_client, world):
    response = superuser_client.post(
        reverse("admin:lightsoff_sighting_add"),
        {"shop": "abc", "seen_at_0": "2026-12-01", "seen_at_1": "22:00", "_save": "Save"},
    )
    assert response.status_code == 200
    assert 'id="id_shop_error"' in response.content.decode()
