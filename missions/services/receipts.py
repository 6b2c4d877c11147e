"""What the providers say back about the messages of a call-up: delivery receipts,
bounces and complaints (SMS status callbacks, the e-mail provider's tracking webhooks).

`record_receipt` is idempotent and tolerates any order: a receipt finds its delivery by
the provider's id or by our reference (and writes the row when it comes before the
sender wrote it); a receipt older than the one recorded never overwrites it; the same
receipt twice changes nothing. What a receipt means for the volunteer:

- a hard bounce marks the e-mail address undeliverable (no more e-mail alerts until the
  volunteer fixes it; they are asked at their next visit, coordinators see it);
- a spam complaint turns e-mail call-ups off for that volunteer;
- an undelivered SMS or a bounced e-mail falls back to the other channel, unless the
  alert already went on both (red level) or was answered.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from volunteers.models import Profile

from ..models import Alert, Delivery, Mobilization
from .outbox import enqueue_sending

logger = logging.getLogger(__name__)

FINAL = {
    Delivery.Status.DELIVERED,
    Delivery.Status.UNDELIVERED,
    Delivery.Status.BOUNCED,
    Delivery.Status.REJECTED,
    Delivery.Status.COMPLAINED,
}


@dataclass(frozen=True)
class Receipt:
    """A provider's word on one message, whatever the provider."""

    channel: str  # Alert.Channel.EMAIL or SMS
    status: str  # a Delivery.Status, or "" for an event we keep no record of
    reference: str = ""
    provider_id: str = ""
    reason: str = ""
    at: object = None  # aware datetime of the event at the provider, when given


def record_receipt(receipt):
    """Apply one receipt; returns the delivery, or None when it is not one of ours (an
    unknown id, a message that is not a call-up)."""
    if not receipt.status:
        return None
    with transaction.atomic():
        delivery = _find_delivery(receipt)
        if delivery is None:
            return None
        if not _is_newer(receipt, delivery):
            return delivery
        before = delivery.status
        delivery.status = receipt.status
        delivery.reason = (receipt.reason or "")[:500]
        delivery.status_at = receipt.at or timezone.now()
        if receipt.provider_id and not delivery.provider_id:
            delivery.provider_id = receipt.provider_id[:200]
        delivery.save(update_fields=["status", "reason", "status_at", "provider_id"])
        if before != delivery.status:
            _consequences(delivery)
    return delivery


def _find_delivery(receipt):
    # Only the row: what a failure needs (the volunteer, the call-up) is read then.
    deliveries = Delivery.objects.select_for_update(of=("self",)).select_related("alert")
    parsed = Delivery.parse_reference(receipt.reference)
    if parsed is not None and parsed[1] == receipt.channel:
        alert_id, channel = parsed
        found = deliveries.filter(alert_id=alert_id, channel=channel).first()
        if found is not None:
            return found
        if not Alert.objects.filter(pk=alert_id).exists():
            return None
        # The receipt came before the sender wrote the row: write it now.
        Delivery.objects.bulk_create(
            [
                Delivery(
                    alert_id=alert_id,
                    channel=channel,
                    provider_id=receipt.provider_id[:200],
                )
            ],
            ignore_conflicts=True,
        )
        return deliveries.filter(alert_id=alert_id, channel=channel).first()
    if receipt.provider_id:
        return deliveries.filter(channel=receipt.channel, provider_id=receipt.provider_id).first()
    return None


def _is_newer(receipt, delivery):
    if delivery.status == receipt.status:
        return False  # the same news again
    if receipt.status == Delivery.Status.ACCEPTED:
        return False  # "accepted" never undoes what followed it
    if delivery.status == Delivery.Status.COMPLAINED:
        return False  # nothing comes after a complaint
    if receipt.status == Delivery.Status.COMPLAINED:
        return True
    if delivery.status in FINAL and receipt.at and delivery.status_at:
        return receipt.at > delivery.status_at
    return True


def _consequences(delivery):
    alert = delivery.alert
    profile = getattr(alert.volunteer, "profile", None)
    if profile is not None and delivery.channel == Alert.Channel.EMAIL:
        if delivery.status == Delivery.Status.BOUNCED:
            Profile.objects.filter(pk=profile.pk, email_undeliverable_at__isnull=True).update(
                email_undeliverable_at=timezone.now(),
                email_undeliverable_reason=delivery.reason[:300],
            )
        elif delivery.status == Delivery.Status.COMPLAINED:
            Profile.objects.filter(pk=profile.pk).update(
                alert_by_email=False, email_complained_at=timezone.now()
            )
    if delivery.status in Delivery.FAILURES:
        _fall_back(delivery, profile)


def _fall_back(delivery, profile):
    """Send the alert again on the other channel, once, if the volunteer has it, has not
    answered, the call-up still runs and the alert did not already go on both."""
    alert = delivery.alert
    if (
        profile is None
        or alert.channel == Alert.Channel.BOTH
        or alert.response != Alert.Response.NONE
        or alert.mobilization.status != Mobilization.Status.LAUNCHED
    ):
        return
    if delivery.channel == Alert.Channel.EMAIL:
        other, works = Alert.Channel.SMS, profile.sms_works
    else:
        # The account's address, unless it bounces or the volunteer reported us as spam.
        works = profile.email_undeliverable_at is None and profile.email_complained_at is None
        other = Alert.Channel.EMAIL
    if not works or alert.deliveries.filter(channel=other).exists():
        return
    moved = Alert.objects.filter(
        Q(status=Alert.Status.SENT) | Q(status=Alert.Status.FAILED),
        pk=alert.pk,
        channel=delivery.channel,
        response=Alert.Response.NONE,
    ).update(
        channel=other,
        status=Alert.Status.PENDING,
        claim_token="",
        handed_over_at=None,
        not_before=None,
        last_error=f"{delivery.get_channel_display()}: {delivery.get_status_display()}"
        f" ({delivery.reason[:200]}); sent again by {other}.",
    )
    if moved:
        mobilization_id = alert.mobilization_id
        transaction.on_commit(lambda: enqueue_sending(mobilization_id, alerts=1))
