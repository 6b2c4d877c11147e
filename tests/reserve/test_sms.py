"""reserve.sms: the interface every backend shares, and the backends without a provider."""

import datetime
import io

import pytest
from django.utils import timezone

from reserve import sms

PHONE = "+33612345678"


@pytest.fixture
def memory(settings):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.get_sms_backend()
    sms.outbox.clear()


def test_sent_sms_is_the_provider_id_as_a_string_with_its_segments():
    sent = sms.SentSMS("SM123", segments=2)
    assert sent == "SM123" == str(sent) == sent.provider_id
    assert sent.segments == 2
    assert f"id={sent}" == "id=SM123"
    assert repr(sent) == "SentSMS('SM123', segments=2)"
    assert not sms.SentSMS(None, segments=1)  # no id: falsy, as the None it replaces


def test_the_memory_backend_keeps_the_reference_only_when_given(memory):
    assert memory.send(PHONE, "Bonjour") == "1"
    sent = memory.send(PHONE, "Mobilisation", reference="tok-1")
    assert (sent, sent.segments) == ("2", 1)
    assert sms.outbox == [
        {"to": PHONE, "text": "Bonjour"},
        {"to": PHONE, "text": "Mobilisation", "reference": "tok-1"},
    ]


def test_the_memory_backend_looks_its_outbox_up(memory):
    since = timezone.now() - datetime.timedelta(minutes=5)
    memory.send(PHONE, "Répondre : https://reserve.example.org/r/tok-2/")
    memory.send(PHONE, "Mobilisation", reference="tok-1")
    assert memory.lookup("tok-1", to=PHONE, since=since).provider_id == "2"
    assert memory.lookup("tok-2", to=PHONE, since=since).provider_id == "1"  # in the text
    assert memory.lookup("tok-1", to="+33699999999", since=since) is None
    assert memory.lookup("tok-3", to=PHONE, since=since) is None


def test_the_console_backend_writes_the_message_and_keeps_no_record():
    stream = io.StringIO()
    backend = sms.ConsoleBackend(stream=stream)
    sent = backend.send(PHONE, "Bonjour", reference="tok-1")
    assert (sent, sent.segments) == ("", 1)
    assert stream.getvalue() == f"SMS to {PHONE}: Bonjour\n"
    assert backend.can_lookup is False
    with pytest.raises(NotImplementedError):
        backend.lookup("tok-1", to=PHONE, since=timezone.now())


@pytest.mark.parametrize(
    ("alias", "path"),
    [("twilio", "reserve.sms.twilio.TwilioBackend"), ("brevo", "reserve.sms.brevo.BrevoBackend")],
)
def test_provider_aliases_are_imported_only_when_chosen(alias, path):
    assert sms.ALIASES[alias] == path


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://r.example/hook/", "https://r.example/hook/?ref=tok-1"),
        ("https://r.example/hook/?a=1", "https://r.example/hook/?a=1&ref=tok-1"),
        ("https://r.example/hook/?ref=old", "https://r.example/hook/?ref=tok-1"),
        ("", None),
    ],
)
def test_the_reference_is_added_to_a_callback_url(url, expected):
    assert sms.callback_url(url, "tok-1") == expected


def test_without_a_reference_the_callback_url_is_left_alone():
    assert sms.callback_url("https://r.example/hook/", None) == "https://r.example/hook/"
