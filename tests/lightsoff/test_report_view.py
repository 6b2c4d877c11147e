"""/lightsoff/report/: the form a citizen sends from the street."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from lightsoff.models import Shop, Sighting
from tests.factories import ShopFactory, UserFactory

from .conftest import image_bytes

pytestmark = pytest.mark.django_db
URL = reverse("lightsoff:report")


def form_data(**overrides):
    data = {
        "latitude": "48.856600",
        "longitude": "2.352200",
        "name": "Boulangerie du Marché",
        "address": "3 rue de Rivoli",
        "postcode": "75004",
        "city": "Paris",
        "seen_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "known_shop": "",
        "website": "",
        "lit_kind": "window",
        "size": "",
    }
    data.update(overrides)
    return data


def test_the_form_opens_at_the_position_given_by_the_map(client):
    response = client.get(URL, {"lat": "48.85", "lng": "2.35"})
    assert response.status_code == 200
    assert 'value="48.85"' in response.content.decode()


def test_a_report_creates_the_shop_and_opens_its_kit(client):
    response = client.post(URL, form_data())
    shop = Shop.objects.get()
    assert response.status_code == 302 and response["Location"] == shop.get_absolute_url()
    assert shop.sightings_count == 1 and shop.postcode == "75004"
    assert Sighting.objects.get().reporter is None


def test_a_logged_in_reporter_is_linked_to_the_sighting_but_not_shown(client):
    user = UserFactory()
    client.force_login(user)
    client.post(URL, form_data())
    assert Sighting.objects.get().reporter == user
    page = client.get(Shop.objects.get().get_absolute_url()).content.decode()
    assert user.email not in page


def test_picking_a_known_shop_adds_a_sighting_to_it(client):
    shop = ShopFactory(latitude="48.856600", longitude="2.352200")
    response = client.post(URL, form_data(name="", known_shop=str(shop.pk), latitude="48.856700"))
    assert response.status_code == 302
    shop.refresh_from_db()
    assert Shop.objects.count() == 1 and shop.sightings.count() == 1


def test_a_missing_name_is_shown_next_to_the_field_and_what_was_typed_is_kept(client):
    response = client.post(URL, form_data(name="", address="12 rue Oberkampf"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Donnez le nom du commerce" in page
    assert 'value="12 rue Oberkampf"' in page
    assert not Shop.objects.exists()


def test_errors_speak_english_to_an_english_reader(client):
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(URL, form_data(latitude="123"))
    assert "Ensure this value is less than or equal to 90" in response.content.decode()


@pytest.mark.parametrize(("lat", "lng"), [("91", "2"), ("48", "-181"), ("nan", "2"), ("", "")])
def test_coordinates_out_of_range_are_rejected(client, lat, lng):
    response = client.post(URL, form_data(latitude=lat, longitude=lng))
    assert response.status_code == 400
    assert not Shop.objects.exists()


def test_a_date_in_the_future_is_refused(client):
    future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(URL, form_data(seen_at=future))
    assert response.status_code == 400
    assert not Shop.objects.exists()


def test_the_honeypot_stops_bots(client):
    response = client.post(URL, form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert not Shop.objects.exists()


def test_the_shop_name_is_escaped_everywhere(client):
    client.post(URL, form_data(name="<script>alert(1)</script>"))
    shop = Shop.objects.get()
    page = client.get(shop.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_too_many_reports_from_one_ip_get_a_429_with_a_clear_message(client, settings):
    settings.LIGHTSOFF_RATE_LIMITS = {"report": (2, 3600)}
    for i in range(2):
        assert client.post(URL, form_data(name=f"Shop {i}")).status_code == 302
    response = client.post(URL, form_data(name="Shop 3"))
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert Shop.objects.count() == 2
    # Another IP is not affected.
    assert client.post(URL, form_data(name="Shop 4"), REMOTE_ADDR="198.51.100.9").status_code == 302


def test_opening_the_form_does_not_count_towards_the_report_limit(client, settings):
    settings.LIGHTSOFF_RATE_LIMITS = {"report": (1, 3600)}
    for _ in range(3):
        assert client.get(URL).status_code == 200
    assert client.post(URL, form_data()).status_code == 302
    assert client.post(URL, form_data(name="Autre")).status_code == 429


def _exif_with_gps():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 8.0)}  # GPS IFD
    return exif


def test_a_photo_is_re_encoded_without_exif_or_gps(client):
    raw = image_bytes(exif=_exif_with_gps())
    assert b"PhoneMaker" in raw
    photo = SimpleUploadedFile("shop.jpg", raw, content_type="image/jpeg")
    response = client.post(URL, {**form_data(), "photo": photo})
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    stored = sighting.photo.read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(sighting.photo.path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_a_photo_that_is_not_an_image_is_refused(client):
    fake = SimpleUploadedFile("shop.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client.post(URL, {**form_data(), "photo": fake})
    assert response.status_code == 400
    assert not Shop.objects.exists()


def test_a_gif_is_refused(client):
    gif = SimpleUploadedFile("shop.gif", image_bytes("GIF"), content_type="image/gif")
    response = client.post(URL, {**form_data(), "photo": gif})
    assert response.status_code == 400


def test_a_photo_too_large_is_refused(client, settings):
    settings.LIGHTSOFF_MAX_PHOTO_BYTES = 1000
    big = SimpleUploadedFile(
        "shop.png", image_bytes("PNG", size=(400, 400)), content_type="image/png"
    )
    response = client.post(URL, {**form_data(), "photo": big})
    assert response.status_code == 400
    assert "trop lourde" in response.content.decode()


def test_an_upload_far_too_large_is_refused_before_it_is_read(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 100_000
    huge = SimpleUploadedFile("shop.jpg", b"\xff" * 400_000, content_type="image/jpeg")
    response = client.post(URL, {**form_data(), "photo": huge})
    assert response.status_code == 413
    assert "trop volumineux" in response.content.decode()
    assert not Shop.objects.exists()


def test_a_small_file_of_too_many_pixels_is_refused(client):
    import io

    out = io.BytesIO()
    Image.new("1", (10_000, 8_000)).save(out, "PNG")  # 80 megapixels in a few kB
    bomb = SimpleUploadedFile("shop.png", out.getvalue(), content_type="image/png")
    response = client.post(URL, {**form_data(), "photo": bomb})
    assert response.status_code == 400
    assert "trop de pixels" in response.content.decode()
    assert not Shop.objects.exists()


def test_a_png_larger_than_a_phone_screenshot_is_refused_before_decoding(client):
    """A 7,700 × 7,700 PNG of 169 kB took 6.6 s and 650 MB to decode."""
    import io

    out = io.BytesIO()
    Image.new("RGB", (3000, 3000)).save(out, "PNG")  # 9 MP in a few kB
    png = SimpleUploadedFile("shop.png", out.getvalue(), content_type="image/png")
    response = client.post(URL, {**form_data(), "photo": png})
    assert response.status_code == 400
    assert "trop de pixels" in response.content.decode()


def test_a_large_phone_jpeg_is_decoded_at_a_reduced_scale(client, monkeypatch):
    """A 48 MP JPEG is taken, but never decoded at full size: at 1/4 here."""
    from PIL import JpegImagePlugin

    decoded = []
    load = JpegImagePlugin.JpegImageFile.load

    def spy(image):
        decoded.append(image.size)
        return load(image)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy)
    photo = SimpleUploadedFile(
        "shop.jpg", image_bytes("JPEG", size=(8000, 6000)), content_type="image/jpeg"
    )
    response = client.post(URL, {**form_data(), "photo": photo})
    assert response.status_code == 302
    assert decoded and max(decoded[0]) <= 2 * 1600
    with Image.open(Shop.objects.get().sightings.get().photo) as stored:
        assert max(stored.size) == 1600


def test_behind_a_trusted_proxy_the_limit_counts_the_visitor_not_the_proxy(client, settings):
    from django.test import RequestFactory

    from reserve.ratelimit import client_ip

    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )
    assert client_ip(request) == "198.51.100.7"  # not the proxy, not what the client wrote
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
