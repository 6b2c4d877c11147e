"""A body over MAX_REQUEST_BODY_BYTES is refused before anything reads it: no upload
spooled to disk, no worker held while a client trickles 200 MB in."""

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from reserve.middleware import RequestBodyLimitMiddleware
from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.django_db


class CountingInput:
    """A wsgi.input that counts what the site reads of it."""

    def __init__(self, data=b"", endless=False):
        self.stream = io.BytesIO(data)
        self.endless = endless
        self.read_bytes = 0

    def read(self, size=-1):
        if self.endless:
            chunk = b"x" * (size if size and size > 0 else 65536)
        else:
            chunk = self.stream.read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        return self.read(size)


def wsgi_post(path, *, length, body_input, headers=None):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "203.0.113.9",
        "wsgi.url_scheme": "http",
        "wsgi.input": body_input,
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        **(headers or {}),
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    status = {}

    def start_response(line, response_headers, exc_info=None):
        status["line"] = line
        status["headers"] = dict(response_headers)

    body = b"".join(WSGIHandler()(environ, start_response))
    return int(status["line"].split()[0]), status["headers"], body.decode()


def test_a_declared_200_mb_report_is_refused_without_reading_a_byte():
    body = CountingInput(endless=True)
    status, headers, text = wsgi_post(
        reverse("lightsoff:report"), length=200 * 2**20, body_input=body
    )
    assert status == 413
    assert body.read_bytes == 0
    assert "trop volumineux" in text  # French first
    assert headers["Connection"] == "close"


def test_the_refusal_speaks_the_visitors_language_and_json_to_the_api():
    status, _headers, text = wsgi_post(
        reverse("lightsoff:report"),
        length=50 * 2**20,
        body_input=CountingInput(),
        headers={"HTTP_ACCEPT_LANGUAGE": "en"},
    )
    assert status == 413 and "too large" in text
    status, headers, text = wsgi_post(
        reverse("lightsoff:api_shops"), length=50 * 2**20, body_input=CountingInput()
    )
    assert status == 413
    assert headers["Content-Type"] == "application/json"
    assert '"error"' in text


def test_a_body_within_the_limit_reaches_the_view(client):
    response = client.post(reverse("lightsoff:report"), {"name": "x"})
    assert response.status_code == 400  # the form answers (no position given)


def test_a_chunked_body_without_length_is_counted_and_refused_past_the_limit(settings):
    settings.MAX_REQUEST_BODY_BYTES = 100_000
    body = CountingInput(endless=True)
    status, _headers, _text = wsgi_post(
        reverse("lightsoff:report"),
        length=None,
        body_input=body,
        headers={"HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert status == 413
    assert body.read_bytes <= 100_001


def test_a_chunked_body_within_the_limit_is_given_to_django_as_declared():
    request = RequestFactory().post("/", {"name": "Boulangerie Lumière"})
    data = request.META["wsgi.input"].read(int(request.META.pop("CONTENT_LENGTH")))
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = io.BytesIO(data)
    request._stream = io.BytesIO(b"")  # what Django reads with no CONTENT_LENGTH
    middleware = RequestBodyLimitMiddleware(lambda r: HttpResponse(r.POST.get("name")))
    assert middleware(request).content.decode() == "Boulangerie Lumière"


def test_a_negative_length_is_a_bad_request():
    status, _headers, _text = wsgi_post("/", length=-5, body_input=CountingInput())
    assert status == 400


@pytest.fixture
def gunicorn():
    """The site under gunicorn's sync workers, as production runs it."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "reserve.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "reserve.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=15)


def test_gunicorn_answers_a_trickled_huge_upload_at_once(gunicorn):
    """The client announces 200 MB and sends 1 kB: the answer comes without waiting for
    the rest (before, the sync worker waited for the whole body)."""
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=10) as sock:
        sock.sendall(
            b"POST /lightsoff/report/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            b"Content-Length: 209715200\r\n\r\n" + b"x" * 1024
        )
        # The socket's 10 s timeout fails the test if the worker waits for the body.
        answer = sock.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")
