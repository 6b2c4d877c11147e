"""reserve.sms.brevo: the official SDK's own requests against a fake Brevo, and the
webhooks that fake calls as Brevo does."""

import base64
import datetime
import json

import pytest
from django.utils import timezone

from reserve import sms
from reserve.sms import DeliveryStatus, InboundSMS, Receipt
from reserve.sms.brevo import (
    BrevoBackend,
    parse_brevo_events,
    verify_brevo_webhook,
    with_credentials,
)
from reserve.webhooks import webhook
from tests.conftest import free_port

PHONE = "+33612345678"
TEXT = "Mobilisation Réserve : Inondations. Répondre : https://reserve.example.org/r/tok-1/"
STATUS_URL = "https://reserve.example.org/missions/webhooks/brevo/sms/"


def test_the_backend_is_chosen_by_its_alias(brevo_server):
    assert isinstance(sms.get_sms_backend(), BrevoBackend)


def test_a_message_reaches_brevo_with_our_key_sender_text_and_reference(brevo_server):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")

    (request,) = brevo_server.requests
    assert (request.method, request.path) == ("POST", "/v3/transactionalSMS/sms")
    assert request.headers["api-key"] == brevo_server.api_key
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.json == {
        "sender": "Reserve",
        "recipient": PHONE,
        "content": TEXT,
        "type": "transactional",
        "tag": "tok-1",
        "unicodeEnabled": False,
    }
    (message,) = brevo_server.sent_to(PHONE)
    assert sent == sent.provider_id == str(message["messageId"])
    assert sent.segments == 1


def test_a_ucs2_text_is_sent_as_unicode_and_billed_as_brevo_counts_it(brevo_server):
    sent = sms.get_sms_backend().send(PHONE, "Tâche " * 20)
    assert brevo_server.requests[0].json["unicodeEnabled"] is True
    assert sent.segments == 2


def test_the_report_url_carries_our_reference_and_the_webhook_credentials(brevo_server, settings):
    settings.SMS_STATUS_CALLBACK_URL = STATUS_URL
    sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    secret = brevo_server.webhook_secret
    assert brevo_server.requests[0].json["webUrl"] == (
        f"https://reserve:{secret}@reserve.example.org/missions/webhooks/brevo/sms/?ref=tok-1"
    )


def test_credentials_already_in_the_report_url_are_kept():
    url = "https://hook:other@reserve.example.org/sms/"
    assert with_credentials(url, "s3cret") == url
    assert with_credentials(STATUS_URL, "") == STATUS_URL
    assert (
        with_credentials("https://h.example/x", "a/b@c") == "https://reserve:a%2Fb%40c@h.example/x"
    )


@pytest.mark.parametrize("sender", ["", "Reserve Tech", "ReserveTech12", "Réserve"])
def test_a_sender_brevo_would_refuse_is_a_configuration_error(brevo_server, settings, sender):
    settings.SMS_SENDER = sender
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend()
    assert error.value.transient is False


def test_a_missing_key_is_a_configuration_error(settings):
    settings.BREVO_API_KEY = ""
    with pytest.raises(sms.SMSError) as error:
        BrevoBackend()
    assert error.value.transient is False


@pytest.mark.parametrize("number", ["12345", "+33 6 12 34 56 78", "06-12-34-56-78"])
def test_a_number_brevo_refuses_is_a_permanent_error(brevo_server, number):
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(number, TEXT)
    assert (error.value.transient, error.value.uncertain) == (False, False)
    assert error.value.code == "invalid_parameter"
    assert brevo_server.messages == []


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_a_rate_limit_or_an_outage_is_transient_and_not_retried_by_the_sdk(brevo_server, status):
    brevo_server.fail_next(status)
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, False)
    assert len(brevo_server.requests) == 1  # the SDK retries 5xx by default: not a send
    assert brevo_server.messages == []


def test_running_out_of_credits_is_transient(brevo_server):
    brevo_server.credits = 0
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.code) == (True, "not_enough_credits")


def test_a_wrong_key_is_transient_so_that_it_can_be_fixed_in_time(brevo_server, settings):
    settings.BREVO_API_KEY = "xkeysib-wrong"
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.code) == (True, "unauthorized")


def test_an_unreachable_brevo_sent_nothing_and_says_so(brevo_server):
    backend = BrevoBackend(api_url=f"http://127.0.0.1:{free_port()}/v3")
    with pytest.raises(sms.SMSError) as error:
        backend.send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, False)


def test_a_brevo_that_takes_the_message_but_answers_too_late_is_uncertain(brevo_server):
    brevo_server.hang_next(seconds=3)
    with pytest.raises(sms.SMSError) as error:
        BrevoBackend(timeout=0.5).send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, True)
    assert len(brevo_server.sent_to(PHONE)) == 1  # it did leave
    assert len(brevo_server.requests) == 1


def test_a_connection_dropped_after_the_request_is_uncertain(brevo_server):
    brevo_server.drop_next()
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, True)
    assert len(brevo_server.requests) == 1


def test_an_unreadable_answer_is_uncertain(brevo_server):
    brevo_server.garble_next()
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, True)


# --- lookup: Brevo's event log, by our tag ----------------------------------------------
def an_hour_ago():
    return timezone.now() - datetime.timedelta(hours=1)


def test_lookup_finds_a_message_whose_answer_was_lost_by_its_tag(brevo_server):
    brevo_server.hang_next(seconds=3)
    with pytest.raises(sms.SMSError):
        BrevoBackend(timeout=0.5).send(PHONE, TEXT, reference="tok-1")

    record = sms.get_sms_backend().lookup("tok-1", to=PHONE, since=an_hour_ago())

    assert record.provider_id == str(brevo_server.messages[0]["messageId"])
    assert (record.status, record.to, record.reference) == (DeliveryStatus.SENT, PHONE, "tok-1")
    request = brevo_server.requests[-1]
    assert (request.method, request.path) == ("GET", "/v3/transactionalSMS/statistics/events")
    assert json.loads(request.query["tags"]) == ["tok-1"]
    assert request.headers["api-key"] == brevo_server.api_key


def test_lookup_says_none_when_brevo_never_took_the_message(brevo_server):
    brevo_server.fail_next(503)
    with pytest.raises(sms.SMSError):
        sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    sms.get_sms_backend().send(PHONE, TEXT, reference="tok-2")
    assert sms.get_sms_backend().lookup("tok-1", to=PHONE, since=an_hour_ago()) is None


def test_lookup_reports_how_far_the_message_went(brevo_server):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    brevo_server.event(sent.provider_id, "delivered")
    brevo_server.reply(PHONE, "OUI")  # a reply says nothing of delivery
    record = sms.get_sms_backend().lookup("tok-1", to=PHONE, since=an_hour_ago())
    assert record.status == DeliveryStatus.DELIVERED


def test_a_lookup_brevo_cannot_answer_is_a_transient_error(brevo_server):
    backend = BrevoBackend(api_url=f"http://127.0.0.1:{free_port()}/v3")
    with pytest.raises(sms.SMSError) as error:
        backend.lookup("tok-1", to=PHONE, since=an_hour_ago())
    assert error.value.transient is True


# --- webhooks ---------------------------------------------------------------------------
@pytest.fixture
def report_url(settings, webhook_receiver):
    settings.SMS_STATUS_CALLBACK_URL = webhook_receiver.url("/missions/webhooks/brevo/sms/")
    return settings.SMS_STATUS_CALLBACK_URL


def test_a_delivery_report_is_authenticated_and_read(brevo_server, webhook_receiver, report_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    brevo_server.event(sent.provider_id, "delivered")

    (call,) = webhook_receiver.requests
    assert call.full_path == "/missions/webhooks/brevo/sms/?ref=tok-1"
    assert call.basic_auth == ("reserve", brevo_server.webhook_secret)
    request = webhook_receiver.django_request(call)
    assert verify_brevo_webhook(request) is True
    assert parse_brevo_events(request.body, query=request.GET) == [
        Receipt(
            reference="tok-1",
            provider_id=sent.provider_id,
            status=DeliveryStatus.DELIVERED,
            reason="",
            to=PHONE,
        )
    ]


@pytest.mark.parametrize(
    ("event", "status"),
    [
        ("sent", DeliveryStatus.SENT),
        ("accepted", DeliveryStatus.QUEUED),
        ("delivered", DeliveryStatus.DELIVERED),
        ("softBounces", DeliveryStatus.UNDELIVERED),
        ("hardBounces", DeliveryStatus.FAILED),
        ("rejected", DeliveryStatus.FAILED),
        ("blocked", DeliveryStatus.FAILED),
        ("skipped", DeliveryStatus.FAILED),
    ],
)
def test_brevo_events_map_to_our_statuses(brevo_server, report_url, event, status):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    call = brevo_server.webhook_call(sent.provider_id, event)
    (receipt,) = parse_brevo_events(call.body, query=call.django_request().GET)
    assert (receipt.status, receipt.reference) == (status, "tok-1")


def test_a_bounce_says_why(brevo_server, report_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    call = brevo_server.webhook_call(sent.provider_id, "hardBounces", reason="Invalid number")
    (receipt,) = parse_brevo_events(call.body)
    assert receipt.reason == "Brevo hardbounce: Invalid number"


def test_a_report_without_our_query_falls_back_on_the_tag():
    body = {"msg_status": "delivered", "messageId": 7, "to": "33612345678", "tag": "tok-9"}
    assert parse_brevo_events(json.dumps(body)) == [
        Receipt(reference="tok-9", provider_id="7", status=DeliveryStatus.DELIVERED, to=PHONE)
    ]


def test_batched_events_are_all_read_and_unknown_ones_left_out():
    body = [
        {"msg_status": "sent", "messageId": 1, "to": "33612345678"},
        {"msg_status": "delivered", "messageId": 2, "to": "33612345679"},
        {"msg_status": "something_new", "messageId": 3},
        "not an event",
    ]
    assert [r.provider_id for r in parse_brevo_events(json.dumps(body).encode())] == ["1", "2"]


def test_a_body_that_is_not_json_is_an_error():
    with pytest.raises(ValueError):
        parse_brevo_events(b"<html>")


def test_a_reply_is_read_as_an_inbound_message(brevo_server, webhook_receiver):
    brevo_server.webhook_url = webhook_receiver.url("/missions/webhooks/brevo/sms/")
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    brevo_server.reply(PHONE, "Oui !")

    request = webhook_receiver.django_request(webhook_receiver.requests[0])
    assert request.headers["Authorization"] == f"Bearer {brevo_server.webhook_secret}"
    assert verify_brevo_webhook(request) is True
    assert parse_brevo_events(request.body, query=request.GET) == [
        InboundSMS(from_number=PHONE, text="Oui !", provider_id=sent.provider_id)
    ]


def test_an_unsubscription_is_an_opt_out(brevo_server, webhook_receiver):
    brevo_server.webhook_url = webhook_receiver.url("/missions/webhooks/brevo/sms/")
    sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    brevo_server.unsubscribe(PHONE)
    (inbound,) = parse_brevo_events(webhook_receiver.requests[0].body)
    assert (inbound.from_number, inbound.opt_out) == (PHONE, True)


# --- webhook authentication ---------------------------------------------------------------
def hook_request(authorization=None, body=b"{}"):
    from django.test import RequestFactory

    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    return RequestFactory().post(
        "/missions/webhooks/brevo/sms/?ref=tok-1",
        data=body,
        content_type="application/json",
        **headers,
    )


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("authorization", "accepted"),
    [
        ("Bearer s3cret", True),
        ("bearer s3cret", True),
        (basic("reserve", "s3cret"), True),
        (basic("anyone", "s3cret"), True),
        (None, False),
        ("", False),
        ("Bearer", False),
        ("Bearer wrong", False),
        ("Bearer s3cret-and-more", False),
        (basic("reserve", "wrong"), False),
        (basic("s3cret", ""), False),
        ("Basic not-base64!!", False),
        ("Token s3cret", False),
    ],
)
def test_only_the_webhook_secret_opens_the_door(settings, authorization, accepted):
    settings.SMS_WEBHOOK_SECRET = "s3cret"
    assert verify_brevo_webhook(hook_request(authorization)) is accepted


def test_without_a_secret_every_call_is_refused(settings):
    settings.SMS_WEBHOOK_SECRET = ""
    assert verify_brevo_webhook(hook_request("Bearer ")) is False
    assert verify_brevo_webhook(hook_request(basic("reserve", ""))) is False


@webhook(verify=verify_brevo_webhook, scope="brevo-sms")
def brevo_view(request):
    from django.http import HttpResponse

    return HttpResponse(status=204)


def test_a_replayed_report_is_refused(brevo_server, report_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    call = brevo_server.webhook_call(sent.provider_id, "delivered")
    assert brevo_view(call.django_request()).status_code == 204
    assert brevo_view(call.django_request()).status_code == 403
    unsigned = call.django_request()
    del unsigned.META["HTTP_AUTHORIZATION"]
    assert brevo_view(unsigned).status_code == 403
