"""The town hall's space: each agent sees the shops and dossiers of their communes only,
records actions that reach the shop's page and its subscribers, exports a CSV; nobody
else gets in, and no reporter's identity shows."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from lightsoff.models import (
    Commune,
    Referral,
    ReporterSubscription,
    Shop,
    TownHall,
    TownHallAction,
    TownHallAgent,
)
from lightsoff.services import town_halls
from tests.factories import CoordinatorFactory, ShopFactory, SightingFactory, UserFactory
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db
SPACE = reverse("lightsoff:mairie")
EXPORT = reverse("lightsoff:mairie_export")


def make_commune(code, name):
    commune = Commune.objects.create(insee_code=code, name=name, departement=code[:2])
    TownHall.objects.create(commune=commune, name=f"Mairie de {name}", email=f"m{code}@example.fr")
    return commune


@pytest.fixture
def communes():
    return make_commune("01053", "Bourg-en-Bresse"), make_commune("69123", "Lyon")


@pytest.fixture
def shops(communes):
    a, b = communes
    reporter = UserFactory(email="secret-reporter@example.org")
    shop_a = ShopFactory(
        name="Pharmacie Alpha", commune=a, postcode="01000", status=Shop.Status.REFERRED
    )
    shop_b = ShopFactory(name="Librairie Bravo", commune=b, postcode="69001")
    for shop in (shop_a, shop_b):
        SightingFactory(shop=shop, reporter=reporter, ip_hash="f00dfacecafe" * 4)
    referral_a = Referral.objects.create(shop=shop_a, commune=a, status=Referral.Status.SENT)
    referral_a.pdf.save("a.pdf", ContentFile(b"%PDF-1.7 dossier A"))
    referral_b = Referral.objects.create(shop=shop_b, commune=b, status=Referral.Status.SENT)
    referral_b.pdf.save("b.pdf", ContentFile(b"%PDF-1.7 dossier B"))
    return shop_a, shop_b, referral_a, referral_b


@pytest.fixture
def agent(client, communes):
    user = UserFactory(email="agent@bourg.example")
    agent = TownHallAgent.objects.create(user=user)
    agent.communes.add(communes[0])
    town_halls.sync_town_hall_group(agent)
    client.force_login(user)
    return agent


def test_an_agent_sees_the_shops_and_dossiers_of_their_commune_only(client, agent, shops):
    shop_a, shop_b, referral_a, referral_b = shops
    page = client.get(SPACE).content.decode()
    assert "Pharmacie Alpha" in page
    assert "Librairie Bravo" not in page
    assert reverse("lightsoff:mairie_dossier", args=[referral_a.pk]) in page

    response = client.get(reverse("lightsoff:mairie_dossier", args=[referral_a.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 dossier A"
    assert client.get(reverse("lightsoff:mairie_dossier", args=[referral_b.pk])).status_code == 404
    assert client.get(reverse("lightsoff:mairie_shop", args=[shop_b.pk])).status_code == 404
    assert client.get(reverse("lightsoff:mairie_shop", args=[shop_a.pk])).status_code == 200


def test_no_reporter_identity_in_the_space_or_the_csv(client, agent, shops):
    pages = [
        client.get(SPACE).content.decode(),
        client.get(reverse("lightsoff:mairie_shop", args=[shops[0].pk])).content.decode(),
        client.get(EXPORT).content.decode(),
    ]
    for page in pages:
        assert "secret-reporter" not in page
        assert "f00dfacecafe" not in page


@pytest.mark.parametrize("path", ["space", "shop", "dossier", "export"])
def test_nobody_else_gets_in(client, shops, path):
    shop_a, _shop_b, referral_a, _ = shops
    url = {
        "space": SPACE,
        "shop": reverse("lightsoff:mairie_shop", args=[shop_a.pk]),
        "dossier": reverse("lightsoff:mairie_dossier", args=[referral_a.pk]),
        "export": EXPORT,
    }[path]
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(CoordinatorFactory())  # staff, but not a town hall's agent
    assert client.get(url).status_code == 403


def test_the_status_filter_ignores_a_bad_value(client, agent, shops):
    assert "Pharmacie Alpha" in client.get(SPACE, {"status": "<script>"}).content.decode()
    assert "Pharmacie Alpha" not in client.get(SPACE, {"status": "resolved"}).content.decode()
    assert client.get(SPACE, {"page": "abc"}).status_code == 200


def test_recording_a_formal_notice_shows_on_the_shop_page_and_reaches_subscribers(
    client, agent, shops, mailoutbox, django_capture_on_commit_callbacks
):
    shop_a = shops[0]
    ReporterSubscription.objects.create(
        shop=shop_a, email="fan@example.net", confirmed_at=timezone.now()
    )
    ReporterSubscription.objects.create(shop=shop_a, email="unconfirmed@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("lightsoff:mairie_shop", args=[shop_a.pk]),
            {"kind": "formal_notice", "done_on": timezone.localdate().isoformat(), "reason": ""},
        )
    assert response.status_code == 302
    action = TownHallAction.objects.get()
    assert action.recorded_by == agent.user
    assert AuditEntry.objects.filter(action="lightsoff.town_hall_action").exists()

    public = client.get(shop_a.get_absolute_url()).content.decode()
    assert "Mise en demeure envoyée" in public or "Formal notice sent" in public
    assert [m.to for m in mailoutbox] == [["fan@example.net"]]
    assert "Pharmacie Alpha" in mailoutbox[0].subject


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "no_action", "done_on": "2026-01-10", "reason": "  "},
        {"kind": "pardon", "done_on": "2026-01-10"},
        {"kind": "fine", "done_on": "2999-01-01"},
        {"kind": "fine", "done_on": "not a date"},
        {"kind": "fine", "done_on": "1900-01-01"},
        {},
    ],
)
def test_bad_input_is_refused_with_a_message_never_a_500(client, agent, shops, data):
    response = client.post(reverse("lightsoff:mairie_shop", args=[shops[0].pk]), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not TownHallAction.objects.exists()


def test_no_action_with_a_reason_is_recorded(client, agent, shops):
    response = client.post(
        reverse("lightsoff:mairie_shop", args=[shops[0].pk]),
        {"kind": "no_action", "done_on": "2026-01-10", "reason": "Dérogation préfectorale"},
    )
    assert response.status_code == 302
    assert TownHallAction.objects.get().reason == "Dérogation préfectorale"


def test_an_agent_cannot_record_on_a_shop_of_another_commune(client, agent, shops):
    response = client.post(
        reverse("lightsoff:mairie_shop", args=[shops[1].pk]),
        {"kind": "fine", "done_on": "2026-01-10"},
    )
    assert response.status_code == 404
    assert not TownHallAction.objects.exists()


def test_the_csv_has_iso_dates_and_codes_as_text(client, agent, shops):
    shop_a = shops[0]
    shop_a.contacted_at = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    shop_a.save()
    TownHallAction.objects.create(
        shop=shop_a, kind="fine", done_on=datetime.date(2026, 4, 2), recorded_by=agent.user
    )
    response = client.get(EXPORT)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [row["name"] for row in rows] == ["Pharmacie Alpha"]
    row = rows[0]
    assert row["postcode"] == "01000"
    assert row["insee_code"] == "01053"
    assert row["first_contacted_at"] == "2026-03-01T09:30:00+00:00"
    assert row["last_town_hall_action"] == "fine"
    assert row["last_town_hall_action_on"] == "2026-04-02"
    assert row["status"] == "referred"


def test_an_agent_joins_and_leaves_the_town_hall_group(agent):
    assert agent.user.groups.filter(name="Town hall").exists()
    town_halls.leave_town_hall_group(agent.user)
    assert not agent.user.groups.filter(name="Town hall").exists()


def test_the_space_lists_shops_in_a_bounded_number_of_queries(
    client, agent, communes, django_assert_max_num_queries
):
    for _ in range(15):
        SightingFactory(shop=ShopFactory(commune=communes[0]))
    with django_assert_max_num_queries(14):
        assert client.get(SPACE).status_code == 200


def test_coordinators_manage_the_agents_in_the_admin(client, settings, communes):
    settings.REQUIRE_STAFF_MFA = False
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    user = UserFactory(email="new-agent@lyon.example")
    response = client.post(
        reverse("admin:lightsoff_townhallagent_add"),
        {"user": user.pk, "communes": [communes[1].pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = TownHallAgent.objects.get(user=user)
    assert list(agent.communes.all()) == [communes[1]]
    assert user.groups.filter(name="Town hall").exists()
    assert (
        Group.objects.get(name="Coordinators")
        .permissions.filter(codename="add_townhallagent")
        .exists()
    )


def test_an_agent_finds_the_space_from_their_own_space_and_others_do_not(client, agent):
    assert SPACE in client.get(reverse("volunteers:index")).content.decode()
    client.force_login(UserFactory())
    assert SPACE not in client.get(reverse("volunteers:index")).content.decode()
