"""What the providers post back about call-ups: delivery receipts, bounces, replies.

Every view checks who sent the call (Twilio's request signature; the shared secret of
Brevo's webhooks and anymail's, as HTTP basic auth) and refuses an unsigned, badly
signed or replayed call with 403 before reading it (`reserve.webhooks.webhook`). What
the calls mean is in `services.receipts` and `services.replies`; a provider's words are
turned into ours here.
"""

import base64
import logging

from anymail.signals import EventType
from anymail.webhooks.brevo import BrevoInboundWebhookView, BrevoTrackingWebhookView
from django.conf import settings
from django.http import HttpResponse, JsonResponse

from reserve import webhooks
from reserve.sms import DeliveryStatus, get_sms_backend
from reserve.sms.brevo import parse_brevo_events, verify_brevo_webhook
from reserve.sms.twilio import (
    parse_inbound,
    parse_status_callback,
    twiml_reply,
    verify_twilio_signature,
)

from .models import Alert, Delivery
from .services import receipts, replies

logger = logging.getLogger(__name__)

SMS_STATUSES = {
    DeliveryStatus.DELIVERED: Delivery.Status.DELIVERED,
    DeliveryStatus.UNDELIVERED: Delivery.Status.UNDELIVERED,
    DeliveryStatus.FAILED: Delivery.Status.REJECTED,
}


def _sms_receipt(receipt):
    return receipts.Receipt(
        channel=Alert.Channel.SMS,
        status=SMS_STATUSES.get(receipt.status, ""),
        reference=receipt.reference or "",
        provider_id=receipt.provider_id or "",
        reason=receipt.reason,
    )


@webhooks.webhook(verify=verify_twilio_signature, scope="twilio-status")
def twilio_status(request):
    """Twilio's status callback of one SMS (StatusCallback, with our reference)."""
    receipts.record_receipt(_sms_receipt(parse_status_callback(request.POST, query=request.GET)))
    return HttpResponse(status=204)


@webhooks.webhook(verify=verify_twilio_signature, scope="twilio-inbound")
def twilio_inbound(request):
    """An SMS sent to our Twilio number: a reply to a call-up. Answered in TwiML."""
    inbound = parse_inbound(request.POST)
    answer = replies.answer_by_sms(from_number=inbound.from_number, text=inbound.text)
    return twiml_reply(answer or "")


@webhooks.webhook(verify=verify_brevo_webhook, scope="brevo-sms")
def brevo_sms(request):
    """Brevo's transactional SMS webhook: delivery reports and replies."""
    try:
        events = parse_brevo_events(request.body, query=request.GET)
    except ValueError:
        return JsonResponse({"error": "Unreadable body."}, status=400)
    for event in events:
        if hasattr(event, "status"):
            receipts.record_receipt(_sms_receipt(event))
            continue
        if getattr(event, "opt_out", False):
            profile = replies.profile_for_number(event.from_number)
            if profile is not None:
                replies.stop_sms(profile)
            continue
        answer = replies.answer_by_sms(from_number=event.from_number, text=event.text)
        if answer:
            _send_quietly(event.from_number, answer)
    return HttpResponse(status=204)


def _send_quietly(number, text):
    """Brevo has no reply-in-the-answer like TwiML: the answer goes as a new SMS."""
    try:
        get_sms_backend().send(number, text)
    except Exception:  # an answer lost must not make the provider post the reply again
        logger.exception("Could not answer the SMS reply of %s.", number[-4:])


# --- E-mail (django-anymail's Brevo webhooks) -------------------------------------------
EMAIL_STATUSES = {
    EventType.DELIVERED: Delivery.Status.DELIVERED,
    EventType.REJECTED: Delivery.Status.REJECTED,
    EventType.FAILED: Delivery.Status.UNDELIVERED,
    EventType.COMPLAINED: Delivery.Status.COMPLAINED,
}


def email_status(event):
    """Our status for an anymail tracking event ("" for those we keep no record of). A
    soft bounce is no bounce: Brevo tries again and reports the outcome."""
    if event.event_type == EventType.BOUNCED:
        hard = (event.esp_event or {}).get("event") != "soft_bounce"
        return Delivery.Status.BOUNCED if hard else ""
    return EMAIL_STATUSES.get(event.event_type, "")


def on_tracking(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal: an e-mail's receipt."""
    receipts.record_receipt(
        receipts.Receipt(
            channel=Alert.Channel.EMAIL,
            status=email_status(event),
            reference=str((event.metadata or {}).get("reference", "")),
            provider_id=event.message_id or "",
            reason=event.mta_response or event.reject_reason or "",
            at=event.timestamp,
        )
    )


def on_inbound(sender, event, esp_name, **kwargs):
    """anymail's `inbound` signal: a reply to a call-up e-mail, to reponse+<token>@…"""
    message = event.message
    if message is None:
        return
    for address in message.to or []:
        token = reply_token(address.addr_spec)
        if token:
            replies.answer_by_email(token=token, text=message.text or "")
            return


def reply_token(address):
    """The alert token of a reply address `<REPLY_LOCAL_PART>+<token>@<INBOUND_EMAIL_DOMAIN>`."""
    domain = settings.INBOUND_EMAIL_DOMAIN
    local, _at, host = (address or "").rpartition("@")
    prefix = f"{settings.REPLY_LOCAL_PART}+"
    if not domain or host.lower() != domain.lower() or not local.startswith(prefix):
        return ""
    return local[len(prefix) :]


def _anymail_basic_auth(request):
    """anymail's WEBHOOK_SECRET ("user:password") as the call's HTTP basic auth."""
    scheme, _space, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return False
    return webhooks.constant_time_equals(given, settings.ANYMAIL.get("WEBHOOK_SECRET", ""))


email_tracking = webhooks.webhook(verify=_anymail_basic_auth, scope="brevo-email")(
    BrevoTrackingWebhookView.as_view()
)
email_inbound = webhooks.webhook(verify=_anymail_basic_auth, scope="brevo-inbound")(
    BrevoInboundWebhookView.as_view()
)
