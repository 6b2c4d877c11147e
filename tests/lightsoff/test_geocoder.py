"""Reverse geocoding: the real urllib client against a local fake Nominatim."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from lightsoff import geocoder
from lightsoff.models import Shop

pytestmark = pytest.mark.django_db

ANSWER = {
    "address": {
        "house_number": "12",
        "road": "Rue de la Roquette",
        "postcode": "75011",
        "city": "Paris",
    }
}


class FakeNominatim(BaseHTTPRequestHandler):
    requests = []
    delay = 0.0
    status = 200

    def do_GET(self):
        FakeNominatim.requests.append((self.path, dict(self.headers)))
        time.sleep(FakeNominatim.delay)
        body = json.dumps(ANSWER).encode()
        self.send_response(FakeNominatim.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(settings):
    FakeNominatim.requests, FakeNominatim.delay, FakeNominatim.status = [], 0.0, 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GEOCODER_URL = f"http://127.0.0.1:{server.server_port}"
    settings.GEOCODER_TIMEOUT = 0.5
    yield FakeNominatim
    server.shutdown()
    server.server_close()


def test_without_a_geocoder_nothing_is_called(settings):
    settings.GEOCODER_URL = ""
    assert geocoder.reverse(48.85, 2.37) is None


def test_the_address_comes_from_the_reverse_endpoint(nominatim):
    assert geocoder.reverse(48.8535, 2.372) == {
        "address": "12 Rue de la Roquette",
        "postcode": "75011",
        "city": "Paris",
    }
    path, headers = nominatim.requests[0]
    query = parse_qs(urlparse(path).query)
    assert urlparse(path).path == "/reverse"
    assert (
        query["lat"] == ["48.8535"] and query["lon"] == ["2.372"] and query["format"] == ["jsonv2"]
    )
    assert headers["User-Agent"].startswith("Reserve-LightsOff")


def test_answers_are_cached(nominatim):
    geocoder.reverse(48.8535, 2.372)
    geocoder.reverse(48.85351, 2.37201)
    assert len(nominatim.requests) == 1


def test_a_slow_geocoder_times_out_and_the_report_still_works(nominatim, client):
    nominatim.delay = 1.0
    assert geocoder.reverse(48.8535, 2.372) is None


def test_a_failing_geocoder_gives_nothing(nominatim):
    nominatim.status = 500
    assert geocoder.reverse(48.8535, 2.372) is None


def test_a_report_without_address_is_completed_by_the_geocoder(nominatim, client):
    from django.utils import timezone

    client.post(
        reverse("lightsoff:report"),
        {
            "latitude": "48.8535",
            "longitude": "2.372",
            "name": "Boulangerie",
            "seen_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "lit_kind": "window",
        },
    )
    assert Shop.objects.get().address == "12 Rue de la Roquette"


def test_the_reverse_api_serves_the_map(nominatim, client):
    data = client.get(reverse("lightsoff:api_reverse"), {"lat": 48.8535, "lng": 2.372}).json()
    assert data["address"]["city"] == "Paris"
