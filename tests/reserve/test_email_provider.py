"""E-mail through a transactional provider: call-up e-mails sent by django-anymail's
Brevo backend to a fake Brevo (tests/fakes/brevo.py), and what Brevo posts back — its
tracking webhook (delivered, bounces) and its inbound parsing (a reply) — built by the
fake as Brevo builds them and given to our webhooks."""

import pytest
from django.test import TestCase
from django.urls import reverse

from missions.models import Alert, Delivery
from missions.services import UNCONFIRMED_NOTE, launch_mobilization
from missions.services.messages import opt_out_url, respond_url
from tests.factories import CoordinatorFactory
from tests.fakes import brevo_email_server  # noqa: F401 - fixture
from tests.missions.conftest import draft_callup, reachable_volunteer
from volunteers.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def brevo(brevo_email_server, settings):  # noqa: F811 - the fixture imported above
    """The fake, with its transactional and inbound webhooks pointed at ours."""
    brevo_email_server.tracking_url = settings.SITE_URL + reverse("missions:email_tracking")
    brevo_email_server.inbound_url = settings.SITE_URL + reverse("missions:email_inbound")
    return brevo_email_server


def launch_email_call_up(**fields):
    volunteer = reachable_volunteer(alert_by_email=True)
    mobilization = draft_callup(**fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    return volunteer, Alert.objects.get()


def email_delivery(alert):
    return Delivery.objects.get(alert=alert, channel=Alert.Channel.EMAIL)


def test_a_call_up_email_reaches_brevo_with_its_reference_and_reply_address(brevo):
    volunteer, alert = launch_email_call_up(title="Renfort hébergement d’urgence")

    (request,) = [r for r in brevo.requests if r.path == "/v3/smtp/email"]
    assert request.headers["api-key"] == brevo.api_key
    (email,) = brevo.emails_to(volunteer.email)
    assert brevo.metadata(email) == {"reference": f"a{alert.pk}-email"}
    assert email["replyTo"]["email"] == f"reponse+{alert.token}@{brevo.inbound_domain}"
    assert email["tags"] == ["call-up"]
    assert "Renfort hébergement d’urgence" in email["subject"]
    assert respond_url(alert) in email["textContent"]
    assert respond_url(alert) in email["htmlContent"]
    assert email["headers"]["List-Unsubscribe"] == f"<{opt_out_url(alert)}>"
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT
    assert email_delivery(alert).provider_id == email["messageId"]


def test_without_an_inbound_domain_the_email_has_no_reply_to(brevo, settings):
    settings.INBOUND_EMAIL_DOMAIN = ""
    volunteer, _alert = launch_email_call_up()
    (email,) = brevo.emails_to(volunteer.email)
    assert email["replyTo"] is None
    assert brevo.inbound_call(volunteer.email, "OUI") is None  # the reply never reaches us


def test_a_delivered_event_marks_the_email_delivered(client, brevo):
    _volunteer, alert = launch_email_call_up()
    (email,) = brevo.emails

    response = brevo.tracking_call(email["messageId"], "delivered").send_to(client)

    assert response.status_code == 200
    assert email_delivery(alert).status == Delivery.Status.DELIVERED


def test_a_soft_bounce_waits_for_the_outcome_brevo_reports_later(client, brevo):
    _volunteer, alert = launch_email_call_up()
    (email,) = brevo.emails

    call = brevo.tracking_call(email["messageId"], "soft_bounce", reason="452 Mailbox full")
    assert call.send_to(client).status_code == 200
    assert email_delivery(alert).status == Delivery.Status.ACCEPTED

    brevo.tracking_call(email["messageId"], "delivered").send_to(client)
    assert email_delivery(alert).status == Delivery.Status.DELIVERED


def test_a_hard_bounce_marks_the_email_bounced_and_the_address_undeliverable(client, brevo):
    volunteer, alert = launch_email_call_up()
    (email,) = brevo.emails

    call = brevo.tracking_call(email["messageId"], "hard_bounce", reason="550 5.1.1 User unknown")
    assert call.send_to(client).status_code == 200

    delivery = email_delivery(alert)
    assert delivery.status == Delivery.Status.BOUNCED
    assert "User unknown" in delivery.reason
    profile = Profile.objects.get(user=volunteer)
    assert profile.email_undeliverable_at is not None
    assert "User unknown" in profile.email_undeliverable_reason


@pytest.mark.parametrize("secret", ["", "brevo:not-the-secret"], ids=["none", "wrong"])
def test_a_tracking_call_without_the_secret_is_refused_and_changes_nothing(client, brevo, secret):
    volunteer, alert = launch_email_call_up()
    (email,) = brevo.emails
    brevo.email_webhook_secret = secret  # what the fake's calls carry, not what we expect

    call = brevo.tracking_call(email["messageId"], "hard_bounce", reason="550 User unknown")
    response = call.send_to(client)

    assert response.status_code == 403
    assert email_delivery(alert).status == Delivery.Status.ACCEPTED
    assert Profile.objects.get(user=volunteer).email_undeliverable_at is None


def test_a_reply_oui_to_the_call_up_email_records_the_answer(client, brevo):
    volunteer, alert = launch_email_call_up()

    call = brevo.inbound_call(volunteer.email, "OUI", name="Camille Martin")
    assert call.send_to(client).status_code == 200

    alert.refresh_from_db()
    assert alert.response == Alert.Response.ACCEPTED


@pytest.mark.parametrize("secret", ["", "brevo:not-the-secret"], ids=["none", "wrong"])
def test_an_inbound_call_without_the_secret_is_refused_and_records_nothing(client, brevo, secret):
    volunteer, alert = launch_email_call_up()
    brevo.email_webhook_secret = secret

    assert brevo.inbound_call(volunteer.email, "OUI").send_to(client).status_code == 403

    alert.refresh_from_db()
    assert alert.response == Alert.Response.NONE


def test_an_address_brevo_refuses_fails_the_alert_and_is_not_retried(brevo):
    brevo.fail_next(400, code="invalid_parameter", message="email is not valid in to")
    _volunteer, alert = launch_email_call_up()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.FAILED and "400" in alert.last_error
    assert not Delivery.objects.filter(alert=alert).exists()


@pytest.mark.parametrize("status", [401, 429, 503])
def test_a_refusal_of_brevo_s_own_gives_the_alert_back_to_try_again(brevo, settings, status):
    settings.ALERT_RETRY_BASE_SECONDS = 60
    brevo.fail_next(status, code="unauthorized", message="Key not found")
    _volunteer, alert = launch_email_call_up()
    alert.refresh_from_db()
    # Nothing left: back to pending for a later attempt, never "delivery not confirmed".
    assert alert.status == Alert.Status.PENDING and alert.not_before is not None
    assert "not confirmed" not in alert.last_error.lower()


def test_brevo_out_of_reach_gives_the_alert_back(brevo, settings):
    from tests.conftest import free_port

    settings.ALERT_RETRY_BASE_SECONDS = 60
    settings.ANYMAIL = {**settings.ANYMAIL, "BREVO_API_URL": f"http://127.0.0.1:{free_port()}/v3/"}
    _volunteer, alert = launch_email_call_up()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.PENDING


def test_a_brevo_answer_lost_after_it_took_the_email_is_flagged_not_resent(brevo):
    brevo.drop_next()
    volunteer, alert = launch_email_call_up()
    alert.refresh_from_db()
    assert (alert.status, alert.last_error) == (Alert.Status.SENT, UNCONFIRMED_NOTE)
    assert len(brevo.emails_to(volunteer.email)) == 1
