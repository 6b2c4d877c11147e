"""Communes and mairies: the two reference files, a shop's commune, the admin."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lightsoff import communes, services
from lightsoff.jsonstream import JSONStreamError, iter_array
from lightsoff.models import Commune, CommunePostcode, Shop, TownHall
from lightsoff.services import communes as commune_services
from tests.factories import ModeratorFactory, ShopFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "lightsoff" / "data"
COMMUNES = DATA / "communes-extract.json"
ANNUAIRE = DATA / "annuaire-extract.json"

PLACE_MASSENA = (43.6975, 7.2700)  # in Nice
NICE_AIRPORT = (43.6650, 7.2150)  # in Nice, but nearer Saint-Laurent-du-Var's mairie


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    run("load_communes", "--file", str(COMMUNES))
    run("import_annuaire", "--file", str(ANNUAIRE))


def write(tmp_path, content, name="file.json"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


# --- load_communes ----------------------------------------------------------------


def test_the_extract_loads_the_current_communes_only():
    out = run("load_communes", "--file", str(COMMUNES))
    # 38 records: 33 current communes, 3 delegated ones and 2 arrondissements skipped.
    assert "33 created, 0 updated, 0 unchanged" in out
    assert Commune.objects.count() == 33
    assert not Commune.objects.filter(insee_code__in=["75101", "69381", "50173"]).exists()
    # Cherbourg-Octeville, delegated, shares its code with the commune nouvelle.
    assert Commune.objects.get(insee_code="50129").name == "Cherbourg-en-Cotentin"


def test_codes_and_postcodes_stay_text():
    run("load_communes", "--file", str(COMMUNES))
    nice = Commune.objects.get(insee_code="06088")
    assert nice.name == "Nice" and nice.departement == "06" and nice.region == "93"
    assert sorted(nice.postcodes.values_list("postcode", flat=True)) == [
        "06000",
        "06100",
        "06200",
        "06300",
    ]
    ajaccio = Commune.objects.get(insee_code="2A004")
    assert ajaccio.departement == "2A"
    assert "20000" in ajaccio.postcodes.values_list("postcode", flat=True)
    assert Commune.objects.get(insee_code="97411").departement == "974"


def test_loading_again_changes_nothing():
    run("load_communes", "--file", str(COMMUNES))
    before = list(CommunePostcode.objects.values_list("pk", "commune_id", "postcode"))
    out = run("load_communes", "--file", str(COMMUNES))
    assert "0 created, 0 updated, 33 unchanged; postcodes: 0 added, 0 removed" in out
    assert list(CommunePostcode.objects.values_list("pk", "commune_id", "postcode")) == before


def test_a_new_edition_renames_and_moves_postcodes(tmp_path):
    run("load_communes", "--file", str(COMMUNES))
    edition = [
        {
            "code": "06088",
            "nom": "Nice-la-Belle",
            "departement": "06",
            "region": "93",
            "type": "commune-actuelle",
            "codesPostaux": ["06000", "06999"],
        }
    ]
    out = run("load_communes", "--file", write(tmp_path, edition), "--skip-shops")
    assert "0 created, 1 updated" in out and "postcodes: 1 added, 3 removed" in out
    nice = Commune.objects.get(insee_code="06088")
    assert nice.name == "Nice-la-Belle"
    assert sorted(nice.postcodes.values_list("postcode", flat=True)) == ["06000", "06999"]
    assert Commune.objects.count() == 33  # communes missing from a file are kept


def test_a_geo_api_export_gives_the_centres(tmp_path):
    export = [
        {
            "code": "2A004",
            "nom": "Ajaccio",
            "codeDepartement": "2A",
            "codeRegion": "94",
            "codesPostaux": ["20000", "20090", "20167"],
            "centre": {"type": "Point", "coordinates": [8.7386, 41.9192]},
        }
    ]
    run("load_communes", "--file", write(tmp_path, export))
    ajaccio = Commune.objects.get(insee_code="2A004")
    assert (ajaccio.latitude, ajaccio.longitude) == (Decimal("41.919200"), Decimal("8.738600"))
    assert ajaccio.departement == "2A" and ajaccio.region == "94"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{", "invalid JSON"),
        ('{"communes": []}', "does not hold a list"),
        ("[1, 2]", "record 1 is not an object"),
        ('[{"code": 6088, "nom": "Nice"}]', "6088 is not an INSEE commune code"),
        ('[{"code": "06088", "nom": "Nice", "codesPostaux": [6000]}]', "codesPostaux"),
        ('[{"code": "06088"}]', "has no name"),
    ],
)
def test_a_malformed_communes_file_is_a_clear_error(tmp_path, content, message):
    with pytest.raises(CommandError, match=message):
        run("load_communes", "--file", write(tmp_path, content))
    assert not Commune.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot load communes"):
        run("load_communes", "--file", str(tmp_path / "nowhere.json"))


# --- import_annuaire --------------------------------------------------------------


def test_the_directory_gives_each_known_commune_its_mairie():
    run("load_communes", "--file", str(COMMUNES))
    out = run("import_annuaire", "--file", str(ANNUAIRE))
    # 32 communes have an entry (Lecci has none); Paris 1er and Toulon are not loaded.
    assert "32 created, 0 updated, 0 unchanged" in out
    assert "2 entries of unknown communes skipped" in out
    assert "32 commune centres set" in out
    nice = TownHall.objects.get(commune="06088")
    # The annex comes first in the file; the main mairie wins all the same.
    assert nice.name == "Mairie - Nice"
    assert nice.email == "mairie@nice.example"
    assert nice.address == "5 rue de l'Hôtel de Ville, 06364 Nice Cedex 4"
    assert nice.website == "https://www.nice.example"
    assert TownHall.objects.get(commune="50129").name == "Mairie - Cherbourg-en-Cotentin"
    # No main mairie: the delegated one serves.
    assert TownHall.objects.get(commune="05001").name == "Mairie déléguée - Abriès"
    assert not TownHall.objects.filter(commune="2A139").exists()
    assert not TownHall.objects.filter(name__startswith="Centre communal").exists()


def test_a_mairie_without_an_email_is_kept_with_a_blank_one(loaded):
    tralonca = TownHall.objects.get(commune="2B329")
    assert tralonca.name == "Mairie - Tralonca"
    assert tralonca.email == ""


def test_importing_again_changes_nothing(loaded):
    before = list(TownHall.objects.values())
    out = run("import_annuaire", "--file", str(ANNUAIRE))
    assert "0 created, 0 updated, 32 unchanged" in out and "0 commune centres set" in out
    assert list(TownHall.objects.values()) == before


def test_a_town_hall_edited_by_hand_is_not_overwritten(loaded):
    TownHall.objects.filter(commune="06088").update(
        email="secretariat@nice.example", edited_by_hand=True
    )
    out = run("import_annuaire", "--file", str(ANNUAIRE))
    assert "1 edited by hand and kept" in out
    assert TownHall.objects.get(commune="06088").email == "secretariat@nice.example"


def test_the_api_export_with_json_text_fields_is_read_too(tmp_path):
    run("load_communes", "--file", str(COMMUNES))
    entry = {
        "id": "b1",
        "nom": "Mairie - Corte",
        "pivot": '[{"type_service_local": "mairie", "code_insee_commune": ["2B096"]}]',
        "code_insee_commune": "2B096",
        "adresse_courriel": "accueil@corte.example; maire@corte.example",
        "telephone": '[{"valeur": "04 65 71 00 01", "description": ""}]',
        "site_internet": '[{"libelle": "", "valeur": "www.corte.example"}]',
        "adresse": '[{"type_adresse": "Adresse", "numero_voie": "Place Padoue", '
        '"code_postal": "20250", "nom_commune": "Corte", "latitude": "42.306", '
        '"longitude": "9.15"}]',
    }
    run("import_annuaire", "--file", write(tmp_path, [entry]))
    corte = TownHall.objects.get(commune="2B096")
    assert corte.email == "accueil@corte.example"
    assert corte.phone == "04 65 71 00 01"
    assert corte.website == "https://www.corte.example"
    assert corte.address == "Place Padoue, 20250 Corte"
    assert Commune.objects.get(pk="2B096").latitude == Decimal("42.306000")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"service": [', "invalid JSON"),
        ('{"services": []}', 'no "service" list'),
        ('"mairie"', "does not hold a list"),
        ('{"service": ["mairie"]}', "entry 1 is not an object"),
        (
            '{"service": [{"nom": "Mairie - X", "pivot": [{"type_service_local": "mairie"}]}]}',
            "no id",
        ),
        ('{"service": [{"id": "1", "nom": "CCAS"}]}', "No mairie in"),
    ],
)
def test_a_malformed_directory_file_is_a_clear_error(tmp_path, content, message):
    run("load_communes", "--file", str(COMMUNES))
    with pytest.raises(CommandError, match=message):
        run("import_annuaire", "--file", write(tmp_path, content))
    assert not TownHall.objects.exists()


def test_the_communes_file_is_no_directory(tmp_path):
    with pytest.raises(CommandError, match="No mairie"):
        run("import_annuaire", "--file", str(COMMUNES))


# --- A shop's commune -------------------------------------------------------------


def test_a_point_in_nice_is_in_nice(loaded):
    assert communes.commune_for(*PLACE_MASSENA).insee_code == "06088"
    assert communes.commune_for(*PLACE_MASSENA, postcode="06000").insee_code == "06088"


def test_near_a_boundary_the_postcode_decides(loaded):
    # The airport is in Nice, 2 km from Saint-Laurent's mairie and 6 km from Nice's.
    assert communes.commune_for(*NICE_AIRPORT).insee_code == "06123"
    assert communes.commune_for(*NICE_AIRPORT, postcode="06200").insee_code == "06088"


def test_a_shared_postcode_picks_the_nearest_of_its_communes(loaded):
    cap_ferrat = (43.6900, 7.3300)
    assert communes.commune_for(*cap_ferrat, postcode="06230").insee_code == "06121"
    rade = (43.7000, 7.3100)
    assert communes.commune_for(*rade, postcode="06230").insee_code == "06159"


def test_a_postcode_far_from_the_point_is_taken_for_a_mistake(loaded):
    # "20000" is Ajaccio's, 200 km away: the position decides.
    assert communes.commune_for(*PLACE_MASSENA, postcode="20000").insee_code == "06088"


def test_a_commune_without_a_centre_is_found_by_its_own_postcode(tmp_path):
    run("load_communes", "--file", str(COMMUNES))  # no directory: no centres
    assert communes.commune_for(*PLACE_MASSENA) is None
    assert communes.commune_for(*PLACE_MASSENA, postcode="06100").insee_code == "06088"


def test_nothing_within_reach_is_no_commune(loaded):
    assert communes.commune_for(0.0, -30.0) is None  # the middle of the Atlantic
    assert communes.commune_for("north", 7.27) is None


def test_the_in_memory_index_chooses_like_the_database(loaded):
    index = communes.CommuneIndex()
    points = [PLACE_MASSENA, NICE_AIRPORT, (41.92, 8.74), (42.70, 9.45), (48.86, 2.35)]
    for lat, lng in points:
        for postcode in (None, "06200", "20200", "99999"):
            assert index.find(lat, lng, postcode) == communes.commune_for(lat, lng, postcode)


def test_a_reported_shop_gets_its_commune(loaded):
    result = services.report_sighting(
        shop_name="Galeries du Port", lat=NICE_AIRPORT[0], lng=NICE_AIRPORT[1], postcode="06200"
    )
    assert result.created_shop
    assert Shop.objects.get().commune_id == "06088"


def test_loading_gives_the_shops_without_one_their_commune():
    on_the_port = ShopFactory(
        latitude=Decimal("43.696000"), longitude=Decimal("7.285000"), postcode=""
    )
    in_ajaccio = ShopFactory(
        latitude=Decimal("41.920000"), longitude=Decimal("8.737000"), postcode="20000"
    )
    at_sea = ShopFactory(
        latitude=Decimal("40.000000"), longitude=Decimal("-20.000000"), postcode=""
    )
    run("load_communes", "--file", str(COMMUNES))
    in_ajaccio.refresh_from_db()
    assert in_ajaccio.commune_id == "2A004"  # by postcode, before any centre is known
    out = run("import_annuaire", "--file", str(ANNUAIRE))
    assert "Shops given a commune: 1." in out
    on_the_port.refresh_from_db(), at_sea.refresh_from_db()
    assert on_the_port.commune_id == "06088"
    assert at_sea.commune_id is None


def test_assigning_in_batches_reaches_every_shop(loaded):
    lat, lng = PLACE_MASSENA
    for i in range(7):
        ShopFactory(latitude=Decimal(f"{lat + i / 10000:.6f}"), longitude=Decimal(f"{lng:.6f}"))
    assert commune_services.assign_missing_communes(batch_size=3) == 7
    assert set(Shop.objects.values_list("commune", flat=True)) == {"06088"}
    assert commune_services.assign_missing_communes(batch_size=3) == 0


# --- The JSON stream --------------------------------------------------------------


def test_the_stream_reads_items_cut_across_chunks(monkeypatch):
    from lightsoff import jsonstream

    monkeypatch.setattr(jsonstream, "CHUNK_CHARS", 7)
    text = json.dumps({"meta": {"a": [1, 2]}, "service": [{"n": 12345}, 678901, "x, ]"]})
    assert list(iter_array(io.StringIO(text), key="service")) == [{"n": 12345}, 678901, "x, ]"]
    assert list(iter_array(io.StringIO(" [ ] "))) == []
    with pytest.raises(JSONStreamError, match="after item 1"):
        list(iter_array(io.StringIO('[{"a": 1} {"b": 2}]')))


def test_a_broken_item_is_reported_without_reading_the_whole_file(monkeypatch):
    from lightsoff import jsonstream

    monkeypatch.setattr(jsonstream, "CHUNK_CHARS", 10)
    monkeypatch.setattr(jsonstream, "MAX_ITEM_CHARS", 50)
    file = io.StringIO('[{"a": 1}, {"b": 2 "c": 3}, ' + '{"d": 4}, ' * 1000 + "{}]")
    with pytest.raises(JSONStreamError, match="invalid JSON after item 1"):
        list(iter_array(file))
    assert file.tell() < 200


# --- The admin --------------------------------------------------------------------


@pytest.fixture
def moderator(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    user = ModeratorFactory()
    client.force_login(user)
    return user


def test_a_moderator_finds_a_town_hall_by_insee_code_and_corrects_it(client, moderator, loaded):
    changelist = reverse("admin:lightsoff_townhall_changelist")
    page = client.get(changelist, {"q": "2B329"}).content.decode()
    assert "Mairie - Tralonca" in page and "Mairie - Nice" not in page
    hall = TownHall.objects.get(commune="2B329")
    url = reverse("admin:lightsoff_townhall_change", args=[hall.pk])
    response = client.post(
        url,
        {
            "commune": "2B329",
            "name": hall.name,
            "email": "mairie@tralonca.example",
            "phone": hall.phone,
            "website": hall.website,
            "address": hall.address,
        },
    )
    assert response.status_code == 302
    hall.refresh_from_db()
    assert hall.email == "mairie@tralonca.example" and hall.edited_by_hand
    run("import_annuaire", "--file", str(ANNUAIRE))
    hall.refresh_from_db()
    assert hall.email == "mairie@tralonca.example"


def test_communes_are_searchable_by_postcode_and_read_only(client, moderator, loaded):
    changelist = reverse("admin:lightsoff_commune_changelist")
    page = client.get(changelist, {"q": "06230"}).content.decode()
    assert "Villefranche-sur-Mer" in page and "Saint-Jean-Cap-Ferrat" in page
    assert "Ajaccio" not in page
    response = client.post(
        reverse("admin:lightsoff_commune_change", args=["06088"]), {"name": "Nissa"}
    )
    assert response.status_code == 403
    assert Commune.objects.get(pk="06088").name == "Nice"


def test_the_shop_form_offers_communes_by_search_not_as_a_list(client, moderator, loaded):
    shop = ShopFactory(commune_id="06088")
    page = client.get(reverse("admin:lightsoff_shop_change", args=[shop.pk])).content.decode()
    assert "Nice (06088)" in page
    assert "Ajaccio (2A004)" not in page  # no <select> of every commune
