"""After a sender died: the beat sweep, and the message that was in flight.

A sender sends the alerts of its claim one after the other, writes `handed_over_at`
before each leaves and marks each failure at once; only the "sent" marks of e-mails wait
in small batches. So when a claim goes stale (its sender was killed), every alert handed
over before the claim's last one certainly left: it is marked sent. The last one may or
may not have left (the sender died during its hand-over):

- when the channel's provider keeps records (the SMS providers: `lookup`), it is asked,
  by the reference or the alert's token: found, the alert is sent and the provider's id
  kept; not found, the provider never took it, so it goes back to pending and is sent
  again — once;
- otherwise (plain SMTP, which keeps no record we can ask), it is marked sent with the
  note UNCONFIRMED_NOTE for the coordinator: at most one such alert per dead sender.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from reserve.sms import SMSError, get_sms_backend
from reserve.sms.segments import segments as sms_segments

from ..models import Alert, Delivery, FollowUp, Mobilization
from .marks import UNCONFIRMED_NOTE, delivery_row, record_deliveries
from .messages import build_alert_sms
from .outbox import enqueue_follow_up, enqueue_sending

logger = logging.getLogger(__name__)

# How far before its hand-over a provider's record of the message may be dated (clocks).
LOOKUP_MARGIN = datetime.timedelta(minutes=5)


def sweep_alerts(*, now=None):
    """What the beat sweep does every minute: settle dead claims, re-enqueue senders.

    Claims older than ALERT_CLAIM_TIMEOUT_SECONDS belong to a dead sender: rows never
    handed over go back to pending; rows handed over are settled (module docstring).
    Then every launched call-up with due pending alerts gets a sender (the broker may
    have been down), and follow-ups left pending by a broker outage are enqueued."""
    now = now or timezone.now()
    stale = Alert.objects.filter(
        status=Alert.Status.SENDING,
        claimed_at__lt=now - datetime.timedelta(seconds=settings.ALERT_CLAIM_TIMEOUT_SECONDS),
    )
    settled = settle_handed_over(stale)
    recovered = stale.filter(handed_over_at__isnull=True).update(
        status=Alert.Status.PENDING, claim_token="", claimed_at=None
    )
    due = (
        Alert.objects.filter(
            Q(not_before__isnull=True) | Q(not_before__lte=now),
            status=Alert.Status.PENDING,
            mobilization__status=Mobilization.Status.LAUNCHED,
        )
        .values_list("mobilization_id", flat=True)
        .distinct()
    )
    enqueued = [pk for pk in set(due) if enqueue_sending(pk, alerts=None)]
    stuck = FollowUp.objects.filter(
        status=FollowUp.Status.PENDING, created_at__lt=now - datetime.timedelta(minutes=1)
    ).values_list("pk", flat=True)
    for follow_up_id in stuck:
        enqueue_follow_up(follow_up_id)
    return {
        "recovered": recovered + settled["resent"],
        "unconfirmed": settled["unconfirmed"],
        "confirmed": settled["confirmed"],
        "enqueued": enqueued,
    }


def settle_handed_over(stale):
    """Settle the stale alerts that were handed over; returns the counts."""
    counts = {"confirmed": 0, "unconfirmed": 0, "resent": 0}
    rows = (
        stale.filter(handed_over_at__isnull=False)
        .select_related("volunteer__profile")
        .order_by("claim_token", "handed_over_at", "pk")
    )
    by_claim = {}
    for alert in rows:
        by_claim.setdefault(alert.claim_token, []).append(alert)
    for alerts in by_claim.values():
        *left, last = alerts
        if left:
            record_deliveries([_known_sent(a) for a in left])
            counts["confirmed"] += _settle(left, last_error="")
        counts[_settle_in_doubt(last)] += 1
    return counts


def _leg(alert):
    """The channel of an alert's last hand-over: when both, SMS once the e-mail left."""
    if alert.channel != Alert.Channel.BOTH:
        return alert.channel
    email_left = alert.deliveries.filter(channel=Alert.Channel.EMAIL).exists()
    return Alert.Channel.SMS if email_left else Alert.Channel.EMAIL


def _known_sent(alert):
    """The delivery of an alert that certainly left; for a text, with the provider's id
    and segments when its records have them (receipts and cost then add up)."""
    leg = _leg(alert)
    if leg == Alert.Channel.SMS:
        record, _asked = _ask_provider(alert)
        if record is not None:
            return _text_delivery(alert, record)
    return delivery_row(alert, leg)


def _text_delivery(alert, record):
    segments = sms_segments(build_alert_sms(alert)) if alert.volunteer else 0
    return delivery_row(alert, "sms", provider_id=record.provider_id, segments=segments)


def _settle(alerts, *, last_error):
    return Alert.objects.filter(
        pk__in=[a.pk for a in alerts], claim_token__in={a.claim_token for a in alerts}
    ).update(status=Alert.Status.SENT, sent_at=F("handed_over_at"), last_error=last_error)


def _settle_in_doubt(alert):
    record, asked = _ask_provider(alert)
    if record is not None:
        record_deliveries([_text_delivery(alert, record)])
        _settle([alert], last_error="")
        return "confirmed"
    if asked:
        # The provider never took it: it goes again, once (a new claim, a new hand-over).
        Alert.objects.filter(pk=alert.pk, claim_token=alert.claim_token).update(
            status=Alert.Status.PENDING, claim_token="", claimed_at=None, handed_over_at=None
        )
        return "resent"
    record_deliveries([delivery_row(alert, _leg(alert), reason=UNCONFIRMED_NOTE)])
    _settle([alert], last_error=UNCONFIRMED_NOTE)
    return "unconfirmed"


def _ask_provider(alert):
    """(the provider's record or None, whether the provider could be asked)."""
    phone = getattr(getattr(alert.volunteer, "profile", None), "phone", "")
    if _leg(alert) != Alert.Channel.SMS or not phone:
        return None, False
    try:
        backend = get_sms_backend()
        if not backend.can_lookup:
            return None, False
        record = backend.lookup(
            Delivery.reference_for(alert.pk, "sms"),
            to=phone,
            since=alert.handed_over_at - LOOKUP_MARGIN,
            contains=alert.token,
        )
    except (SMSError, NotImplementedError) as exc:
        logger.warning("Could not ask the SMS provider about alert %s: %s", alert.pk, exc)
        return None, False
    return record, True
