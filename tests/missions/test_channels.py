"""Channels that back each other up, and what the providers' receipts change: both
channels at the red level, fallback on an undelivered SMS or a bounced e-mail, bounces
and complaints, receipts in any order, the progress page's counts and SMS cost."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from missions.models import Alert, Crisis, Delivery
from missions.selectors import mobilization_progress
from missions.services import launch_mobilization, record_response
from missions.services.receipts import Receipt, record_receipt
from reserve import sms
from tests.factories import CoordinatorFactory
from volunteers.models import Profile

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db
PHONE = "+33612345678"


@pytest.fixture(autouse=True)
def memory_sms(settings):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def both_channels_volunteer(**profile):
    return reachable_volunteer(alert_by_email=True, alert_by_sms=True, phone=PHONE, **profile)


def launch(severity=Crisis.Severity.ORANGE):
    mobilization = draft_callup(crisis__severity=severity)
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    return mobilization


def receipt(alert, channel, status, *, reason="", at=None):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return record_receipt(
            Receipt(
                channel=channel,
                status=status,
                reference=Delivery.reference_for(alert.pk, channel),
                reason=reason,
                at=at,
            )
        )


def test_at_the_red_level_a_volunteer_with_both_channels_gets_an_email_and_an_sms(
    memory_sms,
):
    volunteer = both_channels_volunteer()
    launch(Crisis.Severity.RED)

    alert = Alert.objects.get()
    assert (alert.channel, alert.status) == (Alert.Channel.BOTH, Alert.Status.SENT)
    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    assert [m["to"] for m in memory_sms] == [PHONE]
    assert sorted(alert.deliveries.values_list("channel", flat=True)) == ["email", "sms"]


def test_below_red_the_same_volunteer_gets_the_email_only(memory_sms):
    both_channels_volunteer()
    launch(Crisis.Severity.ORANGE)
    assert Alert.objects.get().channel == Alert.Channel.EMAIL
    assert len(mail.outbox) == 1 and memory_sms == []


def test_a_hard_bounce_falls_back_to_sms_and_stops_email_alerts(memory_sms):
    volunteer = both_channels_volunteer()
    launch()
    alert = Alert.objects.get()

    receipt(alert, "email", Delivery.Status.BOUNCED, reason="550 5.1.1 user unknown")

    profile = Profile.objects.get(user=volunteer)
    assert profile.email_undeliverable_at is not None
    assert "user unknown" in profile.email_undeliverable_reason
    assert [m["to"] for m in memory_sms] == [PHONE]
    alert.refresh_from_db()
    assert (alert.channel, alert.status) == (Alert.Channel.SMS, Alert.Status.SENT)
    assert Profile.objects.reachable_for_crises().filter(pk=profile.pk).exists()  # by SMS

    # The same bounce again, or a late "delivered" for the e-mail: nothing more leaves.
    receipt(alert, "email", Delivery.Status.BOUNCED, reason="550 5.1.1 user unknown")
    assert len(memory_sms) == 1


def test_an_undelivered_sms_falls_back_to_email(memory_sms):
    volunteer = reachable_volunteer(alert_by_email=False, alert_by_sms=True, phone=PHONE)
    launch()
    alert = Alert.objects.get()
    assert alert.channel == Alert.Channel.SMS and mail.outbox == []

    receipt(alert, "sms", Delivery.Status.UNDELIVERED, reason="Twilio error 30003")

    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    assert Delivery.objects.get(alert=alert, channel="sms").reason == "Twilio error 30003"


def test_an_answered_alert_does_not_fall_back(memory_sms):
    both_channels_volunteer()
    launch()
    alert = Alert.objects.get()
    record_response(alert, accept=True)
    receipt(alert, "email", Delivery.Status.BOUNCED)
    assert memory_sms == []


def test_a_red_alert_sent_on_both_does_not_go_again(memory_sms):
    both_channels_volunteer()
    launch(Crisis.Severity.RED)
    alert = Alert.objects.get()
    receipt(alert, "sms", Delivery.Status.UNDELIVERED)
    assert len(mail.outbox) == 1 and len(memory_sms) == 1


def test_a_spam_complaint_turns_email_call_ups_off():
    volunteer = reachable_volunteer()
    launch()
    receipt(Alert.objects.get(), "email", Delivery.Status.COMPLAINED)
    profile = Profile.objects.get(user=volunteer)
    assert profile.alert_by_email is False and profile.email_complained_at is not None
    assert not Profile.objects.reachable_for_crises().filter(pk=profile.pk).exists()


def test_receipts_in_any_order_keep_the_provider_s_latest_word():
    reachable_volunteer()
    launch()
    alert = Alert.objects.get()
    now = timezone.now()
    receipt(alert, "email", Delivery.Status.DELIVERED, at=now)
    receipt(alert, "email", Delivery.Status.UNDELIVERED, at=now - datetime.timedelta(minutes=1))
    receipt(alert, "email", Delivery.Status.ACCEPTED)
    assert Delivery.objects.get(alert=alert).status == Delivery.Status.DELIVERED


def test_a_receipt_before_the_sender_wrote_the_delivery_is_kept():
    reachable_volunteer()
    mobilization = draft_callup()
    launch_mobilization(mobilization, by=CoordinatorFactory())  # nothing sent yet
    alert = Alert.objects.get()
    receipt(alert, "email", Delivery.Status.DELIVERED)
    assert Delivery.objects.get(alert=alert).status == Delivery.Status.DELIVERED
    assert (
        record_receipt(Receipt(channel="email", status="delivered", reference="a999-email")) is None
    )
    assert record_receipt(Receipt(channel="email", status="delivered", provider_id="<x@y>")) is None


def test_the_progress_counts_deliveries_and_the_cost_of_the_sms(settings, memory_sms):
    settings.SMS_PRICE_PER_SEGMENT = 0.05
    both_channels_volunteer()
    reachable_volunteer(alert_by_email=False, alert_by_sms=True, phone="+33612345679")
    reachable_volunteer()
    mobilization = launch(Crisis.Severity.RED)
    first, second, third = Alert.objects.order_by("pk")
    receipt(first, "sms", Delivery.Status.DELIVERED)
    receipt(first, "email", Delivery.Status.DELIVERED)
    receipt(second, "sms", Delivery.Status.UNDELIVERED)
    receipt(third, "email", Delivery.Status.BOUNCED)

    progress = mobilization_progress(mobilization)
    assert (progress.delivered, progress.undelivered, progress.bounced) == (1, 1, 1)
    from reserve.sms import segments

    counted = [segments.segments(m["text"]) for m in memory_sms]
    assert len(counted) == 2 and progress.sms_segments == sum(counted)
    assert progress.sms_cost == round(sum(counted) * 0.05, 2)
    cost = f"{sum(counted) * 0.05:.2f}".replace(".", ",")  # French decimal comma
    assert progress.as_json(mobilization)["sms_cost"] == f"{cost} €"


def test_a_call_up_sms_stays_within_two_segments_whatever_the_title(memory_sms):
    from reserve.sms import segments

    reachable_volunteer(alert_by_email=False, alert_by_sms=True, phone=PHONE)
    mobilization = draft_callup(title=("Renfort pour l’hébergement d’urgence " * 4).strip())
    launch_mobilization(mobilization, by=CoordinatorFactory())
    from missions.services import send_pending_alerts

    send_pending_alerts(mobilization_id=mobilization.pk)
    (message,) = memory_sms
    assert segments.segments(message["text"]) <= 2
    assert Alert.objects.get().token in message["text"]  # the link is never cut


class RefusesEveryText(sms.BaseSMSBackend):
    def send(self, to, text, *, reference=None):
        raise sms.SMSError("21211 invalid number", transient=False)


def test_a_red_alert_whose_text_is_refused_still_counts_its_email(settings):
    settings.SMS_BACKEND = f"{__name__}.RefusesEveryText"
    both_channels_volunteer()
    launch(Crisis.Severity.RED)
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.SENT and alert.last_error.startswith("SMS: 21211")
    assert len(mail.outbox) == 1
    assert list(alert.deliveries.values_list("channel", flat=True)) == ["email"]
