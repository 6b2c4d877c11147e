"""Local fakes of the SMS and e-mail providers, for tests: small HTTP servers on
127.0.0.1 that speak each provider's real API, so that the official SDKs (and
django-anymail) run their own request code against them (nothing of them is mocked).

- `twilio_server` (tests/fakes/twilio.py): Twilio's Messages API, signed callbacks;
- `brevo_server` (tests/fakes/brevo.py): Brevo's transactional SMS API, webhooks;
- `brevo_email_server` (the same fake): Brevo's transactional e-mail API, which
  anymail's Brevo backend calls, its tracking webhooks and inbound parsing;
- `webhook_receiver`: a server that records the callbacks a fake emits, for tests that
  run without Django's live server (`receiver.django_request(call)` turns one into a
  Django request to give a view or a verifier).

The provider fixtures point the site at the fake (SMS_BACKEND or EMAIL_BACKEND,
credentials, base URL) through pytest-django's `settings`. Use them from a conftest:
`from tests.fakes import brevo_server, twilio_server, webhook_receiver  # noqa: F401`.

Every fake records what it received (`requests`, and its `messages`: the provider's
own records, to count duplicates and missing ones) and can be told to misbehave on its
next send: `fail_next(status, …)` refuses it (nothing recorded), `hang_next(seconds)`
takes it then answers too late (the client times out: uncertain, yet the provider has
it), `drop_next()` takes it then closes the connection without an answer, and
`garble_next()` takes it then answers 2xx with a body no SDK can read. To kill a sender
in the middle of a send, `stall(n)` holds the n-th send the fake receives until the test
releases it: taken (recorded, then answered on release) or, with `taken=False`, never
taken (the connection is closed on release and nothing is recorded).
"""

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import pytest


@dataclass
class Request:
    """One HTTP request a fake received (or a callback it emitted)."""

    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    raw_path: str = ""  # path and query as sent

    @property
    def form(self):
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    @property
    def json(self):
        return json.loads(self.body or b"null")

    @property
    def basic_auth(self):
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user, password

    @property
    def full_path(self):
        return self.raw_path or self.path


@dataclass
class Callback:
    """A call a fake makes to our webhooks: built first (to inspect, or to hand to a
    Django test client), then `emit`ted over HTTP."""

    url: str
    headers: dict
    body: bytes
    method: str = "POST"

    @property
    def full_path(self):
        parts = urlsplit(self.url)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path

    def django_request(self):
        """The Django request of this call (RequestFactory), to give a view or a
        verifier without any HTTP: its host is the URL's."""
        return django_request(self.method, self.url, self.headers, self.body)

    def send_to(self, client):
        """Make this call through a Django test client (`client`): our answer."""
        return client.generic(
            self.method,
            self.full_path,
            data=self.body,
            content_type=self.headers.get("Content-Type", "application/octet-stream"),
            headers={k: v for k, v in self.headers.items() if k.lower() != "content-type"},
        )

    def emit(self, timeout=5):
        """POST it; returns (status, body) of our answer."""
        request = urllib.request.Request(  # noqa: S310 - a local test URL
            self.url, data=self.body, method=self.method, headers=self.headers
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


def django_request(method, url, headers, body):
    """A Django request (RequestFactory) for `url` with these headers and body."""
    from django.test import RequestFactory

    parts = urlsplit(url)
    full_path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    meta = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in headers.items()
        if name.lower() not in ("content-type", "content-length", "host")
    }
    return RequestFactory().generic(
        method,
        full_path,
        data=body,
        content_type=headers.get("Content-Type", "application/octet-stream"),
        secure=parts.scheme == "https",
        SERVER_NAME=parts.hostname or "testserver",
        SERVER_PORT=str(parts.port or (443 if parts.scheme == "https" else 80)),
        **meta,
    )


def split_credentials(url):
    """(url without `user:password@`, (user, password) or None)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    credentials = (unquote(parts.username), unquote(parts.password or ""))
    return urlunsplit(parts._replace(netloc=netloc)), credentials


def basic_auth_header(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Fault:
    kind: str  # fail, hang, drop, garble
    status: int = 500
    payload: dict = field(default_factory=dict)
    seconds: float = 0


class Stall:
    """A send the fake holds (`FakeServer.stall`): `wait(timeout)` until it arrives
    (`request` is then the held request), `release()` to let it go on."""

    def __init__(self, nth, *, taken):
        self.nth = nth
        self.taken = taken
        self.request = None
        self._reached = threading.Event()
        self._released = threading.Event()

    def wait(self, timeout=None):
        return self._reached.wait(timeout)

    def release(self):
        self._released.set()

    def _hold(self, request, stopping):
        self.request = request
        self._reached.set()
        while not (self._released.wait(0.05) or stopping.is_set()):
            pass


class _Handler(BaseHTTPRequestHandler):
    provider = None  # set on the subclass made for each server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once: no delayed ACK wait

    def log_message(self, *args):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query={k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            headers=dict(self.headers.items()),
            body=body,
            raw_path=self.path,
        )
        status, headers, payload = self.provider._respond(request)
        if status is None:  # drop: close without a word
            self.close_connection = True
            return
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (a hang longer than its timeout)

    do_GET = do_POST = do_DELETE = do_PUT = _handle  # noqa: N815 - http.server's naming


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 and a free port; subclasses answer `route`."""

    def __init__(self):
        self.requests = []
        self.sends = 0  # the sends received (`_is_send`), the held one included
        self._faults = deque()
        self._stalls = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        handler = type(f"{type(self).__name__}Handler", (_Handler,), {"provider": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()  # wakes the handlers that hang
        self.server.shutdown()
        self.server.server_close()

    # --- misbehaving on the next sends -------------------------------------------------
    def fail_next(self, status, *, times=1, **payload):
        """Refuse the next `times` sends with `status` and the provider's error body
        (its fields in `payload`); the provider records nothing."""
        for _ in range(times):
            self._faults.append(Fault("fail", status=status, payload=payload))

    def hang_next(self, seconds=3, *, times=1):
        """Take the next sends, then answer only after `seconds`."""
        for _ in range(times):
            self._faults.append(Fault("hang", seconds=seconds))

    def drop_next(self, *, times=1):
        """Take the next sends, then close the connection without answering."""
        for _ in range(times):
            self._faults.append(Fault("drop"))

    def garble_next(self, *, times=1):
        """Take the next sends, then answer 2xx with a body that is not JSON."""
        for _ in range(times):
            self._faults.append(Fault("garble"))

    def stall(self, nth, *, taken=True):
        """Hold the `nth` send the fake receives (counted from its start) until the
        test calls `release()` on the returned `Stall`. `taken`: the fake records the
        message first, so the provider has it, and answers on release (to a client that
        may be gone); otherwise it holds the request without taking it and, on release,
        closes the connection without an answer: the provider never took it."""
        stall = Stall(nth, taken=taken)
        with self._lock:
            self._stalls[nth] = stall
        return stall

    def _is_send(self, request):
        return request.method == "POST"

    def _respond(self, request):
        fault = stall = None
        with self._lock:
            self.requests.append(request)
            send = self._is_send(request)
            if send:
                self.sends += 1
                stall = self._stalls.pop(self.sends, None)
            if stall is None or stall.taken:
                fault = self._faults.popleft() if self._faults and send else None
                if fault and fault.kind == "fail":
                    return fault.status, {}, self.error_body(fault.status, **fault.payload)
                status, headers, payload = self.route(request)
        if stall is not None:
            stall._hold(request, self._stopping)
            if not stall.taken:
                return None, {}, b""
        if fault is None:
            return status, headers, payload
        if fault.kind == "hang":
            self._stopping.wait(fault.seconds)
            return status, headers, payload
        if fault.kind == "drop":
            return None, {}, b""
        return status, headers, b"<html>Service temporarily unavailable</html>"

    def route(self, request):
        raise NotImplementedError

    def error_body(self, status, **payload):
        raise NotImplementedError

    @staticmethod
    def now():
        return time.time()


class Receiver(FakeServer):
    """Records the callbacks it receives and answers `status` with `body`."""

    def __init__(self):
        super().__init__()
        self.status, self.content_type, self.body = 204, "text/plain", b""

    def answer(self, status, body=b"", content_type="text/plain"):
        self.status, self.body, self.content_type = status, body, content_type

    def url(self, path="/"):
        return self.base_url + path

    def _is_send(self, request):
        return False

    def route(self, request):
        return self.status, {"Content-Type": self.content_type}, self.body

    def django_request(self, received):
        """The Django request for a call this receiver recorded (same path, query,
        headers and body), to give a view or a verifier."""
        return django_request(
            received.method, self.base_url + received.full_path, received.headers, received.body
        )


@pytest.fixture
def webhook_receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def twilio_server(settings):
    """A fake Twilio; the site sends its SMS there (SMS_BACKEND "twilio")."""
    from .twilio import FakeTwilio

    fake = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = fake.account_sid
    settings.TWILIO_AUTH_TOKEN = fake.auth_token
    settings.TWILIO_API_BASE_URL = fake.base_url
    settings.SMS_SENDER = fake.number
    settings.SMS_STATUS_CALLBACK_URL = ""
    yield fake
    fake.stop()


@pytest.fixture
def brevo_server(settings):
    """A fake Brevo; the site sends its SMS there (SMS_BACKEND "brevo")."""
    from .brevo import FakeBrevo

    fake = FakeBrevo().start()
    settings.SMS_BACKEND = "brevo"
    settings.BREVO_API_KEY = fake.api_key
    settings.BREVO_API_URL = fake.api_url
    settings.SMS_SENDER = "Reserve"
    settings.SMS_WEBHOOK_SECRET = fake.webhook_secret
    settings.SMS_STATUS_CALLBACK_URL = ""
    yield fake
    fake.stop()


@pytest.fixture
def brevo_email_server(request, settings):
    """A fake Brevo; the site sends its e-mail there through anymail's Brevo backend,
    and takes its webhooks' secret ("user:password") and inbound domain. With
    `brevo_server` in the same test, the same fake: one account for e-mail and SMS."""
    from .brevo import FakeBrevo

    shared = "brevo_server" in request.fixturenames
    fake = request.getfixturevalue("brevo_server") if shared else FakeBrevo().start()
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "BREVO_API_KEY": fake.api_key,
        "BREVO_API_URL": fake.api_url + "/",
        "WEBHOOK_SECRET": fake.email_webhook_secret,
    }
    settings.INBOUND_EMAIL_DOMAIN = fake.inbound_domain
    yield fake
    if not shared:
        fake.stop()
