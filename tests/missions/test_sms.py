"""reserve.sms: the HTTP provider client against a local fake provider."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reserve import sms
from tests.conftest import free_port


class FakeProvider(BaseHTTPRequestHandler):
    """Answers like an SMS API: 201 with an id, 400 for a bad number, 503 when asked."""

    received = []
    answer_status = 201

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeProvider.received.append({"auth": self.headers["Authorization"], **body})
        status = FakeProvider.answer_status
        if not body["to"].startswith("+"):
            status = 400
        payload = {"id": "msg-1"} if status < 300 else {"error": "refused"}
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    FakeProvider.received = []
    FakeProvider.answer_status = 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    server.shutdown()


def test_the_http_backend_posts_the_message_with_the_key(provider):
    backend = sms.HttpApiBackend(url=provider, api_key="secret", sender="Reserve")
    assert backend.send("+33612345678", "Mobilisation") == "msg-1"
    assert FakeProvider.received == [
        {"auth": "Bearer secret", "from": "Reserve", "to": "+33612345678", "text": "Mobilisation"}
    ]


def test_a_refused_number_is_a_permanent_error(provider):
    backend = sms.HttpApiBackend(url=provider, api_key="secret")
    with pytest.raises(sms.SMSError) as error:
        backend.send("0612345678", "Mobilisation")
    assert error.value.transient is False
    assert "400" in str(error.value)


def test_a_provider_outage_is_a_transient_error(provider):
    FakeProvider.answer_status = 503
    with pytest.raises(sms.SMSError) as error:
        sms.HttpApiBackend(url=provider, api_key="k").send("+33612345678", "x")
    assert error.value.transient is True


def test_an_unreachable_provider_is_a_transient_error():
    backend = sms.HttpApiBackend(url=f"http://127.0.0.1:{free_port()}/sms", api_key="k")
    with pytest.raises(sms.SMSError) as error:
        backend.send("+33612345678", "x")
    assert error.value.transient is True


def test_the_backend_is_chosen_by_setting(settings, provider):
    settings.SMS_BACKEND = "memory"
    assert isinstance(sms.get_sms_backend(), sms.MemoryBackend)
    settings.SMS_BACKEND = "console"
    assert isinstance(sms.get_sms_backend(), sms.ConsoleBackend)
    settings.SMS_BACKEND, settings.SMS_API_URL = "reserve.sms.HttpApiBackend", provider
    assert isinstance(sms.get_sms_backend(), sms.HttpApiBackend)


def test_an_unreachable_provider_sent_nothing_and_says_so():
    backend = sms.HttpApiBackend(url=f"http://127.0.0.1:{free_port()}/sms", api_key="k")
    with pytest.raises(sms.SMSError) as error:
        backend.send("+33612345678", "x")
    assert error.value.uncertain is False


def test_a_provider_that_takes_the_message_but_never_answers_is_uncertain(provider):
    FakeProvider.answer_status = 201

    class Silent(FakeProvider):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            FakeProvider.received.append("taken")
            threading.Event().wait(2)  # longer than the client's timeout

    server = ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        backend = sms.HttpApiBackend(
            url=f"http://127.0.0.1:{server.server_address[1]}/sms", api_key="k", timeout=0.5
        )
        with pytest.raises(sms.SMSError) as error:
            backend.send("+33612345678", "x")
    finally:
        server.shutdown()
    assert FakeProvider.received == ["taken"]
    assert (error.value.transient, error.value.uncertain) == (True, True)


@pytest.mark.django_db
def test_an_sms_whose_answer_was_lost_is_not_sent_again(settings):
    """At most once: the text the provider may have taken is flagged, the next ones
    go back to the queue and leave once."""
    from django.test import TestCase

    from missions.models import Alert
    from missions.services import UNCONFIRMED_NOTE, launch_mobilization, send_pending_alerts
    from tests.factories import CoordinatorFactory

    from .conftest import draft_callup, reachable_volunteer

    sent = []

    class LosesFirstAnswer(sms.BaseSMSBackend):
        def send(self, to, text, *, reference=None):
            sent.append(to)
            if len(sent) == 1:
                raise sms.SMSError("no answer", transient=True, uncertain=True)

    settings.SMS_BACKEND = f"{__name__}.LosesFirstAnswerBackend"
    globals()["LosesFirstAnswerBackend"] = LosesFirstAnswer
    settings.ALERT_RETRY_BASE_SECONDS = 0
    phones = ["+33612345671", "+33612345672", "+33612345673"]
    for phone in phones:
        reachable_volunteer(alert_by_email=False, alert_by_sms=True, phone=phone)
    mobilization = draft_callup()
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    send_pending_alerts(mobilization_id=mobilization.pk)

    assert sorted(sent) == phones  # each number once
    alerts = Alert.objects.order_by("pk")
    assert [a.status for a in alerts] == [Alert.Status.SENT] * 3
    assert alerts[0].last_error == UNCONFIRMED_NOTE
    assert [a.attempts for a in alerts] == [1, 2, 2]  # the two others went again
