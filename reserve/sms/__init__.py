"""SMS backends, chosen by the SMS_BACKEND setting, like Django's e-mail backends.

    from reserve.sms import get_sms_backend
    backend = get_sms_backend()
    sent = backend.send("+33612345678", "Mobilisation : …", reference=alert.token)
    sent.provider_id, sent.segments   # `sent` is also the provider's id as a str

- "console" writes the messages to standard output (development);
- "memory" keeps them in `reserve.sms.outbox` (tests);
- "twilio" (`reserve.sms.twilio.TwilioBackend`): Twilio's Messages API through the
  official `twilio` package (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMS_SENDER,
  SMS_STATUS_CALLBACK_URL, TWILIO_API_BASE_URL);
- "brevo" (`reserve.sms.brevo.BrevoBackend`): Brevo's transactional SMS API through the
  official `brevo-python` package (BREVO_API_KEY, SMS_SENDER, SMS_STATUS_CALLBACK_URL,
  SMS_WEBHOOK_SECRET, BREVO_API_URL);
- "http" (`reserve.sms.HttpApiBackend`): a generic JSON API (SMS_API_URL, SMS_API_KEY,
  SMS_SENDER), see `reserve/sms/http.py`.

Any other dotted path to a class with the same interface plugs in: `base.py` describes
it (send with a reference, lookup, errors, receipts and inbound messages). Each
provider's module also parses what that provider sends back (delivery reports, replies)
and verifies its webhooks; `segments.py` counts the SMS a text costs.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    REFERENCE_PARAM,
    BaseSMSBackend,
    ConsoleBackend,
    DeliveryStatus,
    InboundSMS,
    MemoryBackend,
    ProviderRecord,
    Receipt,
    SentSMS,
    SMSError,
    callback_url,
    outbox,
)
from .http import HttpApiBackend

__all__ = [
    "ALIASES",
    "REFERENCE_PARAM",
    "BaseSMSBackend",
    "ConsoleBackend",
    "DeliveryStatus",
    "HttpApiBackend",
    "InboundSMS",
    "MemoryBackend",
    "ProviderRecord",
    "Receipt",
    "SMSError",
    "SentSMS",
    "callback_url",
    "get_sms_backend",
    "outbox",
]

# The provider SDKs are imported only by the site that uses them: dotted paths.
ALIASES = {
    "console": ConsoleBackend,
    "memory": MemoryBackend,
    "http": HttpApiBackend,
    "twilio": "reserve.sms.twilio.TwilioBackend",
    "brevo": "reserve.sms.brevo.BrevoBackend",
}


def get_sms_backend(name=None):
    name = name or settings.SMS_BACKEND
    backend_class = ALIASES.get(name, name)
    if isinstance(backend_class, str):
        backend_class = import_string(backend_class)
    return backend_class()
