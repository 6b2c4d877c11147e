"""Background work for LightsOff: thin Celery wrappers around services, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import services
from .models import ReporterSubscription, Shop


def _links(subscription):
    site = settings.SITE_URL
    return {
        "confirm_url": site + reverse("lightsoff:subscription_confirm", args=[subscription.token]),
        "unsubscribe_url": site
        + reverse("lightsoff:subscription_unsubscribe", args=[subscription.token]),
        "shop_url": site + subscription.shop.get_absolute_url(),
    }


def _send(subscription, template, context):
    context = {
        "subscription": subscription,
        "shop": subscription.shop,
        **_links(subscription),
        **context,
    }
    subject = " ".join(render_to_string(f"lightsoff/email/{template}_subject.txt", context).split())
    body = render_to_string(f"lightsoff/email/{template}.txt", context)
    message = EmailMultiAlternatives(subject, body, to=[subscription.email])
    # One-click unsubscribe (RFC 8058): mail clients POST to this URL.
    message.extra_headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    message.send()


@shared_task
def send_subscription_confirmation(subscription_id):
    """The double opt-in e-mail. Sending it twice is harmless (same link)."""
    subscription = (
        ReporterSubscription.objects.select_related("shop")
        .filter(pk=subscription_id, confirmed_at=None, unsubscribed_at=None)
        .first()
    )
    if subscription is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send(subscription, "confirm", {})


@shared_task
def notify_subscribers(shop_id, event):
    """Tell the confirmed subscribers of a shop about `event` ("contacted", "resolved").

    Each e-mail is claimed first (services.claim_notification), so a second run or a
    second worker sends nothing more.
    """
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        return 0
    sent = 0
    subscriptions = shop.subscriptions.filter(confirmed_at__isnull=False, unsubscribed_at=None)
    for subscription in subscriptions.select_related("shop"):
        if services.claim_notification(subscription, event):
            with translation.override(settings.LANGUAGE_CODE):
                _send(subscription, f"notify_{event}", {})
            sent += 1
    return sent
