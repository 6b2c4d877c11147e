"""What the e-mail provider says back, through django-anymail's signals: receipts
(`tracking`) and replies (`inbound`). Connected in `MissionsConfig.ready`; kept apart from
the webhook views so that no process loads the providers' SDKs just to start."""

from anymail.signals import EventType
from django.conf import settings

from .models import Alert, Delivery
from .services import receipts, replies

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
