"""Repeat offenders: the "to refer" rule, the PDF dossier, the e-mail to the mairie and
the admin action."""

import datetime
import io
import zoneinfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from lightsoff import services
from lightsoff.dossier import build_dossier
from lightsoff.models import Commune, Referral, ReporterSubscription, Shop, Sighting, TownHall
from tests.conftest import free_port
from tests.factories import ModeratorFactory, ShopFactory, UserFactory
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SHOPS = reverse("admin:lightsoff_shop_changelist")
REFERRALS = reverse("admin:lightsoff_referral_changelist")


def at(day, hour, minute=0):
    """A Paris moment `day` days from the first contact of `contacted_shop`."""
    start = datetime.datetime(2026, 9, 1, tzinfo=PARIS)
    return (start + datetime.timedelta(days=day)).replace(hour=hour, minute=minute)


@pytest.fixture
def commune():
    commune = Commune.objects.create(insee_code="75111", name="Paris 11e", departement="75")
    TownHall.objects.create(commune=commune, name="Mairie du 11e", email="mairie@paris11.example")
    return commune


@pytest.fixture
def contacted_shop(commune):
    return ShopFactory(
        name="Boulangerie du Marché",
        commune=commune,
        status=Shop.Status.CONTACTED,
        contacts_count=1,
        contacted_at=at(0, 10),
        sightings_count=0,
    )


def sight(shop, moment, *, lit=True, reporter=None, ip="", photo=None):
    return services.report_sighting(
        shop=shop,
        lat=shop.latitude,
        lng=shop.longitude,
        lit=lit,
        seen_at=moment,
        reporter=reporter,
        ip=ip,
        photo=photo,
    ).shop


def refresh(shop):
    return Shop.objects.get(pk=shop.pk)


# --- The rule -------------------------------------------------------------------------


def test_three_lit_nights_fourteen_days_after_the_contact_make_a_shop_to_refer(contacted_shop):
    sight(contacted_shop, at(15, 2))
    sight(contacted_shop, at(16, 3))
    assert refresh(contacted_shop).status == Shop.Status.CONTACTED
    shop = sight(contacted_shop, at(20, 4))
    assert shop.status == Shop.Status.TO_REFER
    assert refresh(contacted_shop).status == Shop.Status.TO_REFER


def test_sightings_within_fourteen_days_of_the_contact_do_not_count(contacted_shop):
    for day in (2, 5, 13):
        sight(contacted_shop, at(day, 2))
    assert sight(contacted_shop, at(15, 2)).status == Shop.Status.CONTACTED


def test_one_night_seen_twice_counts_once_from_evening_to_morning(contacted_shop):
    # Closes at 20 h: dark from 21 h. 23 h 30 and 2 h the next day are the same night.
    contacted_shop.opening_hours = "Mo-Su 08:00-20:00"
    contacted_shop.save()
    sight(contacted_shop, at(15, 23, 30))
    sight(contacted_shop, at(16, 2))
    sight(contacted_shop, at(17, 2))
    assert refresh(contacted_shop).status != Shop.Status.TO_REFER
    assert sight(contacted_shop, at(18, 2)).status == Shop.Status.TO_REFER


def test_lit_while_its_lights_are_allowed_does_not_count(contacted_shop):
    for day in (15, 16, 17):
        sight(contacted_shop, at(day, 22))  # before 1 h: the windows may be lit
    assert refresh(contacted_shop).status == Shop.Status.CONTACTED


@pytest.mark.parametrize(("lit_kind", "status"), [("sign", "contacted"), ("window", "to_refer")])
def test_at_half_past_six_a_sign_may_be_lit_but_not_a_window(contacted_shop, lit_kind, status):
    for day in (15, 16, 17):
        services.report_sighting(
            shop=contacted_shop,
            lat=contacted_shop.latitude,
            lng=contacted_shop.longitude,
            seen_at=at(day, 6, 30),
            lit_kind=lit_kind,
        )
    assert refresh(contacted_shop).status == status


def test_a_shop_never_contacted_is_never_to_refer(commune):
    shop = ShopFactory(commune=commune, sightings_count=0)
    for day in (15, 16, 17, 18):
        shop = sight(shop, at(day, 3))
    assert shop.status == Shop.Status.REPORTED


def test_hiding_a_lit_sighting_takes_the_shop_back_from_to_refer(contacted_shop):
    for day in (15, 16, 17):
        sight(contacted_shop, at(day, 3))
    sighting = Sighting.objects.filter(shop=contacted_shop).order_by("seen_at").first()
    services.set_sightings_hidden(sightings=[sighting], hidden=True, by=None)
    assert refresh(contacted_shop).status == Shop.Status.CONTACTED


# --- Referring ------------------------------------------------------------------------


def night_photo(seed):
    """A small JPEG, different for each seed."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (seed * 10 % 256, 200, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def shop_to_refer(contacted_shop):
    reporter = UserFactory(email="whistleblower@example.org")
    for day in (15, 16, 17):
        sight(
            contacted_shop,
            at(day, 3),
            reporter=reporter,
            ip="203.0.113.9",
            photo=ContentFile(night_photo(day), name="night.jpg"),
        )
    shop = refresh(contacted_shop)
    assert shop.status == Shop.Status.TO_REFER
    return shop


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_dossier_is_a_pdf_in_french_with_the_rule_the_dates_and_no_reporter(shop_to_refer):
    data = build_dossier(shop_to_refer)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Boulangerie du Marché" in text
    assert "Paris 11e" in text
    assert "27 décembre 2018" in text
    assert "L583-3" in text
    assert "R583-7" in text
    assert "3 nuits" in text
    assert "nuit du 16 septembre 2026" in text  # seen on the 17th at 3 h
    for secret in ("whistleblower", "example.org", "203.0.113.9"):
        assert secret not in text
    sighting = Sighting.objects.filter(shop=shop_to_refer).first()
    assert sighting.ip_hash and sighting.ip_hash not in text
    # The three photos are embedded (the pages may share one resource dictionary).
    pages = PdfReader(io.BytesIO(data)).pages
    images = {(image.image.size, image.data) for page in pages for image in page.images}
    assert len(images) == 3
    assert {size for size, _data in images} == {(320, 240)}


def test_a_missing_photo_file_does_not_break_the_dossier(shop_to_refer):
    sighting = Sighting.objects.filter(shop=shop_to_refer).first()
    sighting.photo.storage.delete(sighting.photo.name)
    text = pdf_text(build_dossier(shop_to_refer))
    assert "n’est plus disponible" in text or "plus disponible" in text


def test_referring_e_mails_the_dossier_to_the_mairie_and_marks_the_shop_referred(
    shop_to_refer, smtp_server, django_capture_on_commit_callbacks
):
    moderator = ModeratorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referrals.refer_shop(shop_to_refer, by=moderator)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert referral.sent_at is not None
    assert refresh(shop_to_refer).status == Shop.Status.REFERRED
    [mail] = [m for m in smtp_server.messages if m["to"] == ["mairie@paris11.example"]]
    message = mail["message"]
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    pdf = attachments[0].get_content()
    assert pdf.startswith(b"%PDF")
    assert "Boulangerie du Marché" in pdf_text(pdf)
    assert "Boulangerie du Marché" in message["Subject"]
    entry = AuditEntry.objects.get(action="lightsoff.refer")
    assert entry.acting_user == moderator
    assert entry.object_id == str(shop_to_refer.pk) or int(entry.object_id) == shop_to_refer.pk


def test_a_shop_not_to_refer_is_refused_with_a_reason(contacted_shop):
    with pytest.raises(ValidationError, match="pas à signaler"):
        services.referrals.refer_shop(contacted_shop, by=None)
    assert not Referral.objects.exists()


def test_referring_twice_is_refused(shop_to_refer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.referrals.refer_shop(shop_to_refer, by=None)
    with pytest.raises(ValidationError):
        services.referrals.refer_shop(shop_to_refer, by=None)
    assert Referral.objects.count() == 1


def test_without_a_mairie_e_mail_the_dossier_waits_then_a_moderator_sends_it(
    shop_to_refer, smtp_server, django_capture_on_commit_callbacks
):
    TownHall.objects.filter(commune=shop_to_refer.commune).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referrals.refer_shop(shop_to_refer, by=None)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WAITING
    assert referral.pdf.read().startswith(b"%PDF")
    assert refresh(shop_to_refer).status == Shop.Status.REFERRED
    assert not [m for m in smtp_server.messages if m["to"] == ["mairie@paris11.example"]]

    # Still no address: nothing happens.
    assert services.referrals.send_referral_again(referral, by=None) == ""

    TownHall.objects.filter(commune=shop_to_refer.commune).update(email="accueil@paris11.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.referrals.send_referral_again(referral, by=None)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert [m["to"] for m in smtp_server.messages if m["to"] == ["accueil@paris11.example"]]


def test_a_mail_server_down_marks_the_dossier_failed_and_a_moderator_sends_it_again(
    shop_to_refer, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referrals.refer_shop(shop_to_refer, by=None)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.FAILED
    assert referral.error
    assert refresh(shop_to_refer).status == Shop.Status.REFERRED

    settings.EMAIL_PORT = smtp_server.port
    with django_capture_on_commit_callbacks(execute=True):
        assert services.referrals.send_referral_again(referral, by=None)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert [m for m in smtp_server.messages if m["to"] == ["mairie@paris11.example"]]


def test_a_send_task_run_twice_sends_once(
    shop_to_refer, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referrals.refer_shop(shop_to_refer, by=None)
    assert services.referrals.send_referral(referral_id=referral.pk) is False
    assert len([m for m in smtp_server.messages if m["to"] == ["mairie@paris11.example"]]) == 1


def test_the_platform_refers_by_itself_when_the_setting_says_so(
    contacted_shop, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.LIGHTSOFF_AUTO_REFER = True
    with django_capture_on_commit_callbacks(execute=True):
        for day in (15, 16, 17):
            sight(contacted_shop, at(day, 3))
    assert refresh(contacted_shop).status == Shop.Status.REFERRED
    assert Referral.objects.get().status == Referral.Status.SENT


def test_subscribers_hear_that_the_shop_was_referred(
    shop_to_refer, mailoutbox, django_capture_on_commit_callbacks
):
    ReporterSubscription.objects.create(
        shop=shop_to_refer,
        email="fan@example.net",
        confirmed_at=at(1, 12),
        notified_status=Shop.Status.CONTACTED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.referrals.refer_shop(shop_to_refer, by=None)
    [notice] = [m for m in mailoutbox if m.to == ["fan@example.net"]]
    assert "mairie" in notice.body


# --- The admin ------------------------------------------------------------------------


@pytest.fixture
def moderator(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    user = ModeratorFactory()
    client.force_login(user)
    return user


def refer_in_admin(client, shop):
    data = {"action": "refer_to_town_hall", ACTION_CHECKBOX_NAME: [shop.pk]}
    return client.post(SHOPS, data, follow=True)


def test_the_admin_action_refers_and_says_where_the_dossier_went(
    client, moderator, shop_to_refer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SHOPS,
            {"action": "refer_to_town_hall", ACTION_CHECKBOX_NAME: [shop_to_refer.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "mairie@paris11.example" in response.content.decode()
    assert refresh(shop_to_refer).status == Shop.Status.REFERRED


def test_the_admin_action_says_when_the_mairie_has_no_e_mail(client, moderator, shop_to_refer):
    TownHall.objects.filter(commune=shop_to_refer.commune).update(email="")
    response = client.post(
        SHOPS,
        {"action": "refer_to_town_hall", ACTION_CHECKBOX_NAME: [shop_to_refer.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "modérateur" in page or "moderator" in page
    assert Referral.objects.get().status == Referral.Status.WAITING


def test_the_admin_action_refuses_a_shop_not_to_refer(client, moderator, contacted_shop):
    response = client.post(
        SHOPS,
        {"action": "refer_to_town_hall", ACTION_CHECKBOX_NAME: [contacted_shop.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()
    assert "Boulangerie du Marché" in response.content.decode()


def test_the_dossier_downloads_from_the_admin(
    client, moderator, shop_to_refer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referrals.refer_shop(shop_to_refer, by=moderator)
    assert client.get(REFERRALS).status_code == 200
    response = client.get(reverse("admin:lightsoff_referral_pdf", args=[referral.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        client.get(reverse("admin:lightsoff_referral_pdf", args=[referral.pk + 99])).status_code
        == 404
    )


def test_a_volunteer_cannot_download_a_dossier_from_the_admin(client, shop_to_refer):
    referral = services.referrals.refer_shop(shop_to_refer, by=None)
    client.force_login(UserFactory())
    response = client.get(reverse("admin:lightsoff_referral_pdf", args=[referral.pk]))
    assert response.status_code == 302


def test_the_dashboard_counts_shops_to_refer_and_dossiers_waiting(client, moderator, shop_to_refer):
    page = client.get(reverse("admin:index")).content.decode()
    assert "1 commerce récidiviste à signaler à sa mairie" in page
    TownHall.objects.filter(commune=shop_to_refer.commune).update(email="")
    services.referrals.refer_shop(shop_to_refer, by=moderator)
    page = client.get(reverse("admin:index")).content.decode()
    assert "récidiviste" not in page
    assert "1 dossier attend d’être envoyé à une mairie" in page


def test_merging_a_duplicate_keeps_its_dossiers_and_town_hall_actions(shop_to_refer, commune):
    referral = services.referrals.refer_shop(shop_to_refer, by=None)
    shop_to_refer.town_hall_actions.create(kind="fine", done_on=datetime.date(2026, 10, 1))
    kept = ShopFactory(commune=commune)
    services.merge_shops(target=kept, duplicates=[shop_to_refer], by=None)
    referral.refresh_from_db()
    assert referral.shop == kept
    assert kept.town_hall_actions.get().kind == "fine"
