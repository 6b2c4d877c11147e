"""Reporters who asked for news of a shop: double opt-in, one-click unsubscribe, and the
e-mails telling them the shop was contacted or is dark again (each claimed, sent once)."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reserve import emails
from reserve.queue import enqueue_on_commit

from ..models import ReporterSubscription, Shop

SEND_CONFIRMATION = "lightsoff.tasks.send_subscription_confirmation"
NOTIFY_SUBSCRIBERS = "lightsoff.tasks.notify_subscribers"

CONFIRMATION_INTERVAL_S = 3600


def subscribe(*, shop, email):
    """Ask to be told about a shop. Sends the confirmation e-mail after commit (double
    opt-in); subscribing again re-sends it (once an hour at most) and re-activates an
    unsubscribed address."""
    email = email.strip().lower()
    with transaction.atomic():
        subscription, _created = ReporterSubscription.objects.get_or_create(shop=shop, email=email)
        if subscription.unsubscribed_at:
            subscription.unsubscribed_at = None
            subscription.confirmed_at = None
            subscription.save(update_fields=["unsubscribed_at", "confirmed_at"])
        # At most one confirmation an hour per address and shop: the form must not be a
        # way to flood someone's inbox.
        if not subscription.confirmed_at and cache.add(
            f"lightsoff:confirm:{subscription.pk}", 1, CONFIRMATION_INTERVAL_S
        ):
            enqueue_on_commit(SEND_CONFIRMATION, subscription.pk)
    return subscription


def confirm_subscription(*, token):
    """Second step of the opt-in. Idempotent. Returns the subscription or None."""
    subscription = ReporterSubscription.objects.filter(token=token).first()
    if subscription and not subscription.confirmed_at:
        ReporterSubscription.objects.filter(pk=subscription.pk, confirmed_at=None).update(
            confirmed_at=timezone.now(),
            unsubscribed_at=None,
            notified_status=subscription.shop.status,
        )
        subscription.refresh_from_db()
    return subscription


def unsubscribe(*, token):
    """One-click unsubscribe. Idempotent. Returns the subscription or None."""
    subscription = ReporterSubscription.objects.filter(token=token).first()
    if subscription and not subscription.unsubscribed_at:
        ReporterSubscription.objects.filter(pk=subscription.pk).update(
            unsubscribed_at=timezone.now()
        )
        subscription.refresh_from_db()
    return subscription


def notify_after_commit(shop, event):
    """Tell the shop's subscribers of `event` ("contacted", "resolved") once committed."""
    enqueue_on_commit(NOTIFY_SUBSCRIBERS, shop.pk, event)


def claim_notification(subscription, event):
    """Claim the right to tell one subscriber about `event`; True at most once per event
    (a conditional update, so a task run twice or by two workers sends one e-mail)."""
    return bool(
        ReporterSubscription.objects.filter(
            pk=subscription.pk, confirmed_at__isnull=False, unsubscribed_at=None
        )
        .exclude(notified_status=event)
        .update(notified_status=event)
    )


def send_subscription_confirmation(*, subscription_id):
    """The double opt-in e-mail. Sending it twice is harmless (same link)."""
    subscription = (
        ReporterSubscription.objects.select_related("shop")
        .filter(pk=subscription_id, confirmed_at=None, unsubscribed_at=None)
        .first()
    )
    if subscription is not None:
        _send(subscription, "confirm")


def notify_subscribers(*, shop_id, event):
    """Tell the confirmed subscribers of a shop about `event` ("contacted", "resolved").

    Each e-mail is claimed first (`claim_notification`), so a second run or a second
    worker sends nothing more. Returns the number of e-mails sent."""
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        return 0
    sent = 0
    subscriptions = shop.subscriptions.filter(confirmed_at__isnull=False, unsubscribed_at=None)
    # Said as it happened: "Réserve sent it a message", or "a volunteer contacted it".
    latest = shop.contacts.filter(is_hidden=False).order_by("-done_at").first()
    extra = {"by_platform": bool(latest and latest.by_platform)}
    for subscription in subscriptions.select_related("shop"):
        if claim_notification(subscription, event):
            _send(subscription, f"notify_{event}", extra)
            sent += 1
    return sent


def send_to_subscription(subscription, name, extra=None):
    """One e-mail `lightsoff/email/<name>` to a subscriber, with the shop's and the
    unsubscribe links (outreach.py's answers and follow-ups use it too)."""
    _send(subscription, name, extra)


def _send(subscription, name, extra=None):
    site = settings.SITE_URL
    links = {
        "confirm_url": site + reverse("lightsoff:subscription_confirm", args=[subscription.token]),
        "unsubscribe_url": site
        + reverse("lightsoff:subscription_unsubscribe", args=[subscription.token]),
        "shop_url": site + subscription.shop.get_absolute_url(),
    }
    # Reporters leave no language: they hear in the site's (French first).
    emails.send(
        f"lightsoff/email/{name}",
        subscription.email,
        {"subscription": subscription, "shop": subscription.shop, **links, **(extra or {})},
        # One-click unsubscribe (RFC 8058): mail clients POST to this URL.
        headers={
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
