"""What the providers post back about call-ups: delivery receipts, bounces, replies.

Every view checks who sent the call (Twilio's request signature; the shared secret of
Brevo's webhooks and anymail's, as HTTP basic auth) and refuses an unsigned, badly
signed or replayed call with 403 before reading it (`reserve.webhooks.webhook`). What
the calls mean is in `services.receipts` and `services.replies`; a provider's words are
turned into ours here.
"""

import logging

from anymail.exceptions import AnymailConfigurationError, AnymailError
from anymail.utils import get_request_basic_auth
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


# --- E-mail: django-anymail's Brevo views (their signals go to receivers.py) ------------
def _anymail_basic_auth(request):
    """anymail's WEBHOOK_SECRET ("user:password") as the call's HTTP basic auth."""
    return webhooks.constant_time_equals(
        get_request_basic_auth(request), settings.ANYMAIL.get("WEBHOOK_SECRET", "")
    )


class UnreadableBody(Exception):
    """The provider's call does not have the shape its documentation gives."""


class ReadsWellFormedCallsOnly:
    """anymail's views take the body for granted (a list, a non-JSON body raise): a
    malformed call gets 400 with a clear message, never a 500."""

    def parse_events(self, request):
        try:
            return super().parse_events(request)
        except (
            ValueError,
            TypeError,
            AttributeError,
            KeyError,
            AnymailError,
            AnymailConfigurationError,
        ) as exc:
            raise UnreadableBody from exc

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except UnreadableBody:
            return webhooks.refusal("Unreadable body.", status=400)


class TrackingView(ReadsWellFormedCallsOnly, BrevoTrackingWebhookView):
    pass


class InboundView(ReadsWellFormedCallsOnly, BrevoInboundWebhookView):
    pass


email_tracking = webhooks.webhook(verify=_anymail_basic_auth, scope="brevo-email")(
    TrackingView.as_view()
)
email_inbound = webhooks.webhook(verify=_anymail_basic_auth, scope="brevo-inbound")(
    InboundView.as_view()
)
