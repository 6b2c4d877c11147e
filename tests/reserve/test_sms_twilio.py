"""reserve.sms.twilio: the official SDK's own requests against a fake Twilio, and the
callbacks that fake signs as Twilio does."""

import datetime

import pytest
from django.utils import timezone

from reserve import sms
from reserve.sms import DeliveryStatus, InboundSMS, Receipt
from reserve.sms.twilio import (
    TwilioBackend,
    parse_inbound,
    parse_status_callback,
    twiml_reply,
    verify_twilio_signature,
)
from reserve.webhooks import webhook
from tests.conftest import free_port

PHONE = "+33612345678"
TEXT = "Mobilisation Réserve : Inondations. Répondre : https://reserve.example.org/r/tok-1/"
STATUS_URL = "https://reserve.example.org/missions/webhooks/twilio/status/"


def test_the_backend_is_chosen_by_its_alias(twilio_server):
    assert isinstance(sms.get_sms_backend(), TwilioBackend)


def test_a_message_reaches_twilio_with_our_credentials_sender_and_text(twilio_server):
    sent = sms.get_sms_backend().send(PHONE, TEXT)

    (request,) = twilio_server.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{twilio_server.account_sid}/Messages.json"
    assert request.basic_auth == (twilio_server.account_sid, twilio_server.auth_token)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form == {"To": PHONE, "From": twilio_server.number, "Body": TEXT}
    (message,) = twilio_server.sent_to(PHONE)
    assert sent.provider_id == message["sid"] and sent.provider_id.startswith("SM")
    assert sent.segments == 1


def test_the_result_is_also_the_message_sid_for_the_callers_that_kept_it(twilio_server):
    sent = sms.get_sms_backend().send(PHONE, TEXT)
    assert isinstance(sent, str)
    assert sent == sent.provider_id == str(sent) == twilio_server.messages[0]["sid"]


def test_our_reference_rides_in_the_status_callback_url(twilio_server, settings):
    settings.SMS_STATUS_CALLBACK_URL = STATUS_URL
    sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    assert twilio_server.requests[0].form["StatusCallback"] == f"{STATUS_URL}?ref=tok-1"


def test_a_callback_url_with_a_query_keeps_it(twilio_server, settings):
    settings.SMS_STATUS_CALLBACK_URL = f"{STATUS_URL}?site=fr&ref=old"
    sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    assert twilio_server.requests[0].form["StatusCallback"] == f"{STATUS_URL}?site=fr&ref=tok-1"


def test_without_a_callback_url_twilio_is_asked_for_no_reports(twilio_server):
    sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    assert "StatusCallback" not in twilio_server.requests[0].form


def test_a_messaging_service_sends_in_our_place_and_we_count_the_segments(twilio_server, settings):
    settings.SMS_SENDER = "MG" + "0" * 32
    sent = sms.get_sms_backend().send(PHONE, "Tâche " * 20)
    form = twilio_server.requests[0].form
    assert form["MessagingServiceSid"] == settings.SMS_SENDER
    assert "From" not in form
    assert twilio_server.messages[0]["status"] == "accepted"
    assert sent.segments == 2  # Twilio says 0 until it picks a number: ours


def test_a_long_text_is_billed_as_twilio_counts_it(twilio_server):
    assert sms.get_sms_backend().send(PHONE, "a" * 161).segments == 2


def test_a_missing_configuration_is_a_permanent_error(settings):
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(sms.SMSError) as error:
        TwilioBackend()
    assert error.value.transient is False


@pytest.mark.parametrize(
    ("number", "code"),
    [("0612345678", 21211), ("+33", 21211), ("+33140000000", 21614)],
)
def test_a_number_twilio_refuses_is_a_permanent_error(twilio_server, number, code):
    twilio_server.not_mobile.add("+33140000000")
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(number, TEXT)
    assert (error.value.transient, error.value.uncertain, error.value.code) == (False, False, code)
    assert str(code) in str(error.value)
    assert twilio_server.messages == []


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, 20500), (503, 20503)])
def test_a_rate_limit_or_an_outage_is_transient_and_certain(twilio_server, status, code):
    twilio_server.fail_next(status, code=code, message="Try later")
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, False)
    assert twilio_server.messages == []
    assert len(twilio_server.requests) == 1  # the SDK did not try again by itself


def test_wrong_credentials_are_transient_so_that_they_can_be_fixed_in_time(twilio_server, settings):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.code) == (True, 20003)


def test_an_unreachable_twilio_sent_nothing_and_says_so(twilio_server):
    backend = TwilioBackend(api_base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(sms.SMSError) as error:
        backend.send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, False)


def test_a_base_url_requests_cannot_use_sent_nothing(twilio_server):
    with pytest.raises(sms.SMSError) as error:
        TwilioBackend(api_base_url="ftp://127.0.0.1").send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, False)


def test_a_twilio_that_takes_the_message_but_answers_too_late_is_uncertain(twilio_server):
    twilio_server.hang_next(seconds=3)
    with pytest.raises(sms.SMSError) as error:
        TwilioBackend(timeout=0.5).send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, True)
    assert len(twilio_server.sent_to(PHONE)) == 1  # it did leave
    assert len(twilio_server.requests) == 1


def test_a_connection_dropped_after_the_request_is_uncertain(twilio_server):
    twilio_server.drop_next()
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, True)
    assert len(twilio_server.requests) == 1


def test_an_unreadable_answer_is_uncertain(twilio_server):
    twilio_server.garble_next()
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.uncertain) == (True, True)


# --- lookup: the provider's record of a message whose answer was lost ------------------
def an_hour_ago():
    return timezone.now() - datetime.timedelta(hours=1)


def test_lookup_finds_a_message_whose_answer_was_lost_by_its_link_token(twilio_server):
    twilio_server.hang_next(seconds=3)
    with pytest.raises(sms.SMSError):
        TwilioBackend(timeout=0.5).send(PHONE, TEXT, reference="tok-1")

    record = sms.get_sms_backend().lookup("tok-1", to=PHONE, since=an_hour_ago())

    assert record.provider_id == twilio_server.messages[0]["sid"]
    assert (record.status, record.to, record.reference) == (DeliveryStatus.QUEUED, PHONE, "tok-1")
    request = twilio_server.requests[-1]
    assert (request.method, request.query["To"]) == ("GET", PHONE)


def test_lookup_can_match_another_text_than_the_reference(twilio_server):
    sms.get_sms_backend().send(PHONE, TEXT)
    record = sms.get_sms_backend().lookup(
        "alert-42", to=PHONE, since=an_hour_ago(), contains="/r/tok-1/"
    )
    assert record is not None


def test_lookup_says_none_when_twilio_never_took_the_message(twilio_server):
    twilio_server.fail_next(503)
    with pytest.raises(sms.SMSError):
        sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    assert sms.get_sms_backend().lookup("tok-1", to=PHONE, since=an_hour_ago()) is None


def test_lookup_ignores_other_numbers_and_older_messages(twilio_server):
    backend = sms.get_sms_backend()
    backend.send("+33699999999", TEXT)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    twilio_server.clock = lambda: yesterday
    backend.send(PHONE, TEXT)
    assert backend.lookup("tok-1", to=PHONE, since=an_hour_ago()) is None


def test_lookup_reports_how_far_the_message_went(twilio_server):
    sent = sms.get_sms_backend().send(PHONE, TEXT)
    twilio_server.deliver(sent.provider_id, "delivered")
    record = sms.get_sms_backend().lookup("tok-1", to=PHONE, since=an_hour_ago())
    assert record.status == DeliveryStatus.DELIVERED


def test_lookup_reads_only_the_latest_hundred_messages_to_the_number(twilio_server):
    backend = sms.get_sms_backend()
    backend.send(PHONE, TEXT)
    for index in range(120):
        backend.send(PHONE, f"Autre message {index}")
    # The latest 100 hold only the others: the first one is out of reach, by design.
    assert backend.lookup("tok-1", to=PHONE, since=an_hour_ago()) is None
    assert backend.lookup("message 119", to=PHONE, since=an_hour_ago()) is not None


def test_a_lookup_twilio_cannot_answer_is_a_transient_error(twilio_server):
    backend = TwilioBackend(api_base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(sms.SMSError) as error:
        backend.lookup("tok-1", to=PHONE, since=an_hour_ago())
    assert error.value.transient is True


# --- status callbacks -------------------------------------------------------------------
@pytest.fixture
def status_url(settings, webhook_receiver):
    """Callbacks go to a local receiver, and the site's public address is its address."""
    settings.SITE_URL = webhook_receiver.base_url
    settings.SMS_STATUS_CALLBACK_URL = webhook_receiver.url("/missions/webhooks/twilio/status/")
    return settings.SMS_STATUS_CALLBACK_URL


def test_a_signed_status_callback_is_verified_and_read(twilio_server, webhook_receiver, status_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    twilio_server.deliver(sent.provider_id, "delivered")

    (call,) = webhook_receiver.requests
    assert call.full_path == "/missions/webhooks/twilio/status/?ref=tok-1"
    assert call.headers["X-Twilio-Signature"]
    request = webhook_receiver.django_request(call)
    assert verify_twilio_signature(request) is True
    assert parse_status_callback(request.POST, query=request.GET) == Receipt(
        reference="tok-1",
        provider_id=sent.provider_id,
        status=DeliveryStatus.DELIVERED,
        reason="",
        to=PHONE,
    )


@pytest.mark.parametrize(
    ("twilio_status", "ours"),
    [
        ("queued", DeliveryStatus.QUEUED),
        ("sent", DeliveryStatus.SENT),
        ("delivered", DeliveryStatus.DELIVERED),
        ("read", DeliveryStatus.DELIVERED),
        ("undelivered", DeliveryStatus.UNDELIVERED),
        ("failed", DeliveryStatus.FAILED),
        ("canceled", DeliveryStatus.FAILED),
    ],
)
def test_twilio_statuses_map_to_ours(twilio_server, status_url, twilio_status, ours):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    twilio_server.message(sent.provider_id)["status"] = twilio_status
    request = twilio_server.status_callback(sent.provider_id).django_request()
    assert parse_status_callback(request.POST, query=request.GET).status == ours


def test_an_undelivered_message_reports_twilios_error_code(twilio_server, status_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    twilio_server.message(sent.provider_id).update(status="undelivered", error_code=30003)
    request = twilio_server.status_callback(sent.provider_id).django_request()
    receipt = parse_status_callback(request.POST, query=request.GET)
    assert (receipt.status, receipt.reason) == (DeliveryStatus.UNDELIVERED, "Twilio error 30003")


def test_a_callback_without_a_signature_is_refused(twilio_server, status_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    callback = twilio_server.status_callback(sent.provider_id)
    del callback.headers["X-Twilio-Signature"]
    assert verify_twilio_signature(callback.django_request()) is False


def test_a_callback_whose_fields_were_changed_is_refused(twilio_server, status_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    twilio_server.message(sent.provider_id)["status"] = "undelivered"
    callback = twilio_server.status_callback(sent.provider_id)
    callback.body = callback.body.replace(b"undelivered", b"delivered")
    assert verify_twilio_signature(callback.django_request()) is False


def test_a_callback_sent_to_another_reference_is_refused(twilio_server, status_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    callback = twilio_server.status_callback(sent.provider_id)
    callback.url = callback.url.replace("ref=tok-1", "ref=tok-2")
    assert verify_twilio_signature(callback.django_request()) is False


def test_a_callback_signed_with_another_token_is_refused(twilio_server, status_url, settings):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    request = twilio_server.status_callback(sent.provider_id).django_request()
    settings.TWILIO_AUTH_TOKEN = "another-account-token"
    assert verify_twilio_signature(request) is False


def test_the_signature_is_checked_against_the_public_url(twilio_server, status_url, settings):
    """Behind a proxy the site sees http://web:8000/…; Twilio signed https://…"""
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    request = twilio_server.status_callback(sent.provider_id).django_request()
    assert verify_twilio_signature(request) is True
    settings.SITE_URL = "https://reserve.example.org"
    assert verify_twilio_signature(request) is False
    assert verify_twilio_signature(request, url=status_url + "?ref=tok-1") is True


@webhook(verify=verify_twilio_signature, scope="twilio-status")
def status_view(request):
    from django.http import HttpResponse

    return HttpResponse(status=204)


def test_a_replayed_callback_is_refused(twilio_server, status_url):
    sent = sms.get_sms_backend().send(PHONE, TEXT, reference="tok-1")
    callback = twilio_server.status_callback(sent.provider_id)
    assert status_view(callback.django_request()).status_code == 204
    assert status_view(callback.django_request()).status_code == 403
    twilio_server.message(sent.provider_id)["status"] = "delivered"
    later = twilio_server.status_callback(sent.provider_id)
    assert status_view(later.django_request()).status_code == 204


# --- inbound messages -----------------------------------------------------------------
@pytest.fixture
def inbound_url(settings, webhook_receiver):
    settings.SITE_URL = webhook_receiver.base_url
    webhook_receiver.answer(200, twiml_reply("Merci !").content, "text/xml")
    return webhook_receiver.url("/missions/webhooks/twilio/inbound/")


def test_a_reply_reaches_us_signed_and_is_read(twilio_server, webhook_receiver, inbound_url):
    status, answer = twilio_server.inbound(inbound_url, from_=PHONE, body="Oui !").emit()

    assert (status, answer) == (200, twiml_reply("Merci !").content)
    request = webhook_receiver.django_request(webhook_receiver.requests[0])
    assert verify_twilio_signature(request) is True
    inbound = parse_inbound(request.POST)
    assert inbound == InboundSMS(
        from_number=PHONE,
        text="Oui !",
        provider_id=twilio_server.messages[-1]["sid"],
        to_number=twilio_server.number,
        opt_out=False,
    )


def test_a_stop_is_an_opt_out_and_twilio_then_refuses_to_send(twilio_server, inbound_url):
    request = twilio_server.inbound(inbound_url, from_=PHONE, body="STOP").django_request()
    assert parse_inbound(request.POST).opt_out is True
    with pytest.raises(sms.SMSError) as error:
        sms.get_sms_backend().send(PHONE, TEXT)
    assert (error.value.transient, error.value.code) == (False, 21610)


def test_a_forged_reply_is_refused(twilio_server, inbound_url):
    callback = twilio_server.inbound(inbound_url, from_=PHONE, body="NON")
    callback.body = callback.body.replace(b"%2B33612345678", b"%2B33611111111")
    assert verify_twilio_signature(callback.django_request()) is False


def test_twiml_answers_an_inbound_sms_or_says_nothing():
    response = twiml_reply("Merci, c'est noté & à bientôt")
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        "<Message>Merci, c'est noté &amp; à bientôt</Message></Response>"
    )
    assert twiml_reply("").content.decode().endswith("<Response />")
