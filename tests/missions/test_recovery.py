"""The sweep after a sender died: every alert handed over before the claim's last one
left; the last one is asked of the SMS provider (sent again only if it never took it),
or flagged "delivery not confirmed" with plain SMTP — one per dead sender, not a batch."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from missions.models import Alert, Delivery
from missions.services import UNCONFIRMED_NOTE, claim_alerts, launch_mobilization, sweep_alerts
from reserve import sms
from tests.factories import CoordinatorFactory

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db


def claimed(count, **profile):
    """A call-up of `count` alerts claimed by a sender that then died (nothing sent);
    a `phone` is a pattern numbered per volunteer."""
    for index in range(count):
        fields = dict(profile)
        if "phone" in fields:
            fields["phone"] = fields["phone"].format(index)
        reachable_volunteer(**fields)
    mobilization = draft_callup()
    launch_mobilization(mobilization, by=CoordinatorFactory())  # not enqueued: no commit
    token = claim_alerts(mobilization_id=mobilization.pk, limit=count)
    return list(Alert.objects.filter(claim_token=token).order_by("pk"))


def hand_over(alerts):
    start = timezone.now() - datetime.timedelta(minutes=10)
    for offset, alert in enumerate(alerts):
        Alert.objects.filter(pk=alert.pk).update(
            handed_over_at=start + datetime.timedelta(seconds=offset)
        )


def later():
    return timezone.now() + datetime.timedelta(hours=1)


def test_with_smtp_only_the_last_message_in_flight_is_flagged(settings):
    alerts = claimed(5)
    hand_over(alerts[:4])  # the sender died while the fourth was leaving
    mail.outbox.clear()

    report = sweep_alerts(now=later())

    assert (report["confirmed"], report["unconfirmed"]) == (3, 1)
    rows = list(Alert.objects.order_by("pk"))
    assert [a.last_error for a in rows[:4]] == ["", "", "", UNCONFIRMED_NOTE]
    assert {a.status for a in rows[:4]} == {Alert.Status.SENT}
    assert len(mail.outbox) == 1  # the fifth, never handed over, goes now; no other twice


def test_an_sms_the_provider_took_is_confirmed_from_its_records(settings):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    (alert,) = claimed(1, alert_by_email=False, alert_by_sms=True, phone="+3361234567{}")
    hand_over([alert])
    sms.outbox.append({"to": "+33612345670", "text": f"… /missions/respond/{alert.token}/"})

    report = sweep_alerts(now=later())

    assert report["confirmed"] == 1 and report["unconfirmed"] == 0
    alert.refresh_from_db()
    assert (alert.status, alert.last_error) == (Alert.Status.SENT, "")
    assert Delivery.objects.get(alert=alert).provider_id == "1"
    assert len(sms.outbox) == 1  # not sent again


def test_an_sms_the_provider_never_took_is_sent_again_once(settings):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    (alert,) = claimed(1, alert_by_email=False, alert_by_sms=True, phone="+3361234567{}")
    hand_over([alert])

    sweep_alerts(now=later())  # asks the provider: never taken; pending again, sent (eager)
    sweep_alerts(now=later())

    assert [m["to"] for m in sms.outbox] == ["+33612345670"]
    alert.refresh_from_db()
    assert (alert.status, alert.last_error) == (Alert.Status.SENT, "")


def test_an_sms_whose_answer_was_lost_is_settled_from_the_provider_not_flagged(
    settings, twilio_server
):
    """The sender lives on, the answer was lost: the provider keeps records, so the text
    is not flagged at once but settled by the sweep from Twilio's own record."""
    from missions.services import send_pending_alerts

    settings.ALERT_RETRY_BASE_SECONDS = 0
    phones = ["+33612345670", "+33612345671"]
    for phone in phones:
        reachable_volunteer(alert_by_email=False, alert_by_sms=True, phone=phone)
    mobilization = draft_callup()
    launch_mobilization(mobilization, by=CoordinatorFactory())
    twilio_server.drop_next()  # Twilio takes the first text, the answer never comes
    send_pending_alerts(mobilization_id=mobilization.pk)

    first, second = Alert.objects.order_by("pk")
    assert first.status == Alert.Status.SENDING and first.handed_over_at is not None
    assert second.status == Alert.Status.PENDING  # given back, it goes with the next run

    sweep_alerts(now=later())
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == Alert.Status.SENT
    assert (first.status, first.last_error) == (Alert.Status.SENT, "")
    assert Delivery.objects.get(alert=first).provider_id.startswith("SM")
    assert [len(twilio_server.sent_to(p)) for p in phones] == [1, 1]
