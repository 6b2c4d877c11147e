"""The providers' webhooks, called the way each provider calls them (the fakes of
tests/fakes build the calls: Twilio's signature, Brevo's secret, anymail's basic auth):
receipts move deliveries, replies record answers, and an unsigned, badly signed or
replayed call is refused with 403 and changes nothing."""

import base64
import json
import time

import pytest
from django.test import TestCase
from django.urls import reverse

from missions.models import Alert, Delivery
from missions.services import launch_mobilization
from tests.factories import CoordinatorFactory
from volunteers.models import Profile

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db
PHONE = "+33612345678"


def launch_sms_call_up():
    volunteer = reachable_volunteer(alert_by_email=False, alert_by_sms=True, phone=PHONE)
    mobilization = draft_callup()
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    return volunteer, Alert.objects.get()


@pytest.fixture
def twilio(twilio_server, settings):
    settings.SMS_STATUS_CALLBACK_URL = settings.SITE_URL + reverse("missions:twilio_status")
    return twilio_server


@pytest.fixture
def brevo(brevo_server, settings):
    settings.SMS_STATUS_CALLBACK_URL = settings.SITE_URL + reverse("missions:brevo_sms")
    brevo_server.webhook_url = settings.SITE_URL + reverse("missions:brevo_sms")
    return brevo_server


# --- Twilio -----------------------------------------------------------------------------
def test_a_twilio_delivery_report_marks_the_sms_delivered(client, twilio):
    _volunteer, alert = launch_sms_call_up()
    (message,) = twilio.sent_to(PHONE)
    message["status"] = "delivered"
    response = twilio.status_callback(message["sid"]).send_to(client)

    assert response.status_code == 204
    delivery = Delivery.objects.get(alert=alert)
    assert (delivery.status, delivery.provider_id) == ("delivered", message["sid"])


def test_an_undelivered_twilio_sms_keeps_the_carrier_s_reason(client, twilio):
    _volunteer, alert = launch_sms_call_up()
    (message,) = twilio.sent_to(PHONE)
    message.update(status="undelivered", error_code=30003, error_message="Unreachable")
    twilio.status_callback(message["sid"]).send_to(client)
    delivery = Delivery.objects.get(alert=alert)
    assert delivery.status == "undelivered" and "30003" in delivery.reason


def test_unsigned_badly_signed_and_replayed_twilio_calls_are_refused(client, twilio):
    _volunteer, alert = launch_sms_call_up()
    (message,) = twilio.sent_to(PHONE)
    message["status"] = "delivered"
    call = twilio.status_callback(message["sid"])

    unsigned = {k: v for k, v in call.headers.items() if k != "X-Twilio-Signature"}
    forged = {**call.headers, "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    for headers in (unsigned, forged):
        response = client.generic(
            "POST",
            call.full_path,
            data=call.body,
            content_type=call.headers["Content-Type"],
            headers={k: v for k, v in headers.items() if k != "Content-Type"},
        )
        assert response.status_code == 403
    assert Delivery.objects.get(alert=alert).status == "accepted"

    assert call.send_to(client).status_code == 204
    Delivery.objects.filter(alert=alert).update(status="accepted")
    assert call.send_to(client).status_code == 403  # the same call played again
    assert Delivery.objects.get(alert=alert).status == "accepted"


def test_a_volunteer_answers_oui_by_replying_to_the_twilio_sms(client, twilio):
    _volunteer, alert = launch_sms_call_up()
    response = twilio.inbound(
        "http://127.0.0.1:8000" + reverse("missions:twilio_inbound"), from_=PHONE, body="Oui !"
    ).send_to(client)
    assert response.status_code == 200
    assert "<Message>" in response.content.decode() and "merci" in response.content.decode()
    alert.refresh_from_db()
    assert alert.response == Alert.Response.ACCEPTED


def test_an_unknown_number_gets_an_empty_answer_and_nothing_recorded(client, twilio):
    _volunteer, alert = launch_sms_call_up()
    response = twilio.inbound(
        "http://127.0.0.1:8000" + reverse("missions:twilio_inbound"),
        from_="+33699999999",
        body="OUI",
    ).send_to(client)
    assert response.status_code == 200 and "<Message>" not in response.content.decode()
    alert.refresh_from_db()
    assert alert.response == Alert.Response.NONE


# --- Brevo SMS --------------------------------------------------------------------------
def test_a_brevo_hard_bounce_marks_the_sms_rejected(client, brevo):
    _volunteer, alert = launch_sms_call_up()
    (message,) = brevo.sent_to(PHONE)
    call = brevo.webhook_call(message["messageId"], "hardBounces", reason="Numéro invalide")
    assert call.send_to(client).status_code == 204
    delivery = Delivery.objects.get(alert=alert)
    # A hard bounce is final (an invalid number): rejected, counted as undelivered.
    assert delivery.status == "rejected" and "invalide" in delivery.reason


def test_a_brevo_reply_and_a_stop_are_recorded(client, brevo):
    volunteer, alert = launch_sms_call_up()
    assert brevo.reply_call(PHONE, "non").send_to(client).status_code == 204
    alert.refresh_from_db()
    assert alert.response == Alert.Response.DECLINED
    answers = [m for m in brevo.sent_to(PHONE) if "noté" in m["content"]]
    assert len(answers) == 1  # the confirmation went back as a new SMS

    assert brevo.reply_call(PHONE, "STOP").send_to(client).status_code == 204
    assert Profile.objects.get(user=volunteer).sms_stopped_at is not None


def test_a_brevo_call_without_the_secret_is_refused(client, brevo):
    _volunteer, alert = launch_sms_call_up()
    (message,) = brevo.sent_to(PHONE)
    call = brevo.webhook_call(message["messageId"], "delivered")
    response = client.post(call.full_path, data=call.body, content_type="application/json")
    assert response.status_code == 403
    assert Delivery.objects.get(alert=alert).status == "accepted"


# --- E-mail through anymail's Brevo webhooks --------------------------------------------
SECRET = "brevo:s3cret-webhook"


@pytest.fixture
def anymail_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    settings.INBOUND_EMAIL_DOMAIN = "reponses.reserve.example.org"


def basic(secret):
    return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}


def tracking_event(alert, event, **extra):
    return {
        "event": event,
        "email": alert.volunteer.email,
        "id": 1234,
        "message-id": "<20261202.1234@smtp-relay.mailin.fr>",
        "ts_epoch": int(time.time() * 1000),
        "X-Mailin-custom": json.dumps({"reference": Delivery.reference_for(alert.pk, "email")}),
        **extra,
    }


def test_an_email_hard_bounce_stops_email_alerts_and_falls_back_to_sms(
    client, settings, anymail_secret
):
    from reserve import sms

    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    volunteer = reachable_volunteer(alert_by_email=True, alert_by_sms=True, phone=PHONE)
    mobilization = draft_callup()
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    alert = Alert.objects.get()
    url = reverse("missions:email_tracking")
    body = json.dumps(tracking_event(alert, "hard_bounce", reason="550 user unknown"))

    assert client.post(url, body, content_type="application/json").status_code == 403
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, body, content_type="application/json", headers=basic(SECRET))
    assert response.status_code == 200
    assert Delivery.objects.get(alert=alert, channel="email").status == "bounced"
    assert Profile.objects.get(user=volunteer).email_undeliverable_at is not None
    assert [m["to"] for m in sms.outbox] == [PHONE]
    response = client.post(url, body, content_type="application/json", headers=basic(SECRET))
    assert response.status_code == 403  # replayed


def test_a_reply_to_the_call_up_email_records_the_answer(client, anymail_secret):
    reachable_volunteer()
    mobilization = draft_callup()
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    alert = Alert.objects.get()
    payload = {
        "items": [
            {
                "Uuid": ["b5f0-1"],
                "MessageId": "<reply@mail.example.org>",
                "Headers": {
                    "From": alert.volunteer.email,
                    "To": f"reponse+{alert.token}@reponses.reserve.example.org",
                    "Subject": "Re: Mobilisation",
                },
                "RawTextBody": "OUI\n\nLe mar. 2 déc. 2026 à 08:00, Réserve a écrit :\n> NON",
            }
        ]
    }
    url = reverse("missions:email_inbound")
    response = client.post(
        url, json.dumps(payload), content_type="application/json", headers=basic(SECRET)
    )
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.response == Alert.Response.ACCEPTED


def test_call_up_emails_say_where_to_reply(anymail_secret):
    from django.core import mail

    reachable_volunteer()
    mobilization = draft_callup()
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    alert = Alert.objects.get()
    (message,) = mail.outbox
    assert message.reply_to == [f"reponse+{alert.token}@reponses.reserve.example.org"]
    assert message.metadata == {"reference": f"a{alert.pk}-email"}


@pytest.mark.parametrize(
    "name", ["missions:email_tracking", "missions:email_inbound", "missions:brevo_sms"]
)
@pytest.mark.parametrize("body", ["not json", "[]", '{"items": "x"}', "{}", '"x"', "[1, 2]"])
def test_a_malformed_call_from_an_authenticated_provider_gets_a_clear_400(
    client, settings, anymail_secret, name, body
):
    settings.SMS_WEBHOOK_SECRET = SECRET.partition(":")[2]
    response = client.post(
        reverse(name), body, content_type="application/json", headers=basic(SECRET)
    )
    assert response.status_code in (200, 204, 400)
    if response.status_code == 400:
        assert response.json() == {"error": "Unreadable body."}
