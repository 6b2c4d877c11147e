"""Twilio: sending through the official `twilio` package, and what Twilio sends back.

Settings: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN; SMS_SENDER, a number in E.164 form,
an alphanumeric sender ID, or a Messaging Service SID ("MG…", then Twilio picks the
number); SMS_STATUS_CALLBACK_URL, the absolute URL of our delivery-report webhook (empty:
no reports); TWILIO_API_BASE_URL, "https://api.twilio.com" unless tests point the SDK at
a fake (the SDK's own request code still runs: only the host changes).

Our reference travels in the status callback URL (`…?ref=<reference>`): Twilio calls
that exact URL for each status of the message, and signs it. The Message resource
itself keeps no field of ours (no metadata, and the API does not return the
StatusCallback), so `lookup` lists the latest messages to the number and matches the
body, which holds the unique answer link: the caller passes that token as `reference`
(or as `contains`). It does not filter on DateSent: that filter has a day's precision
and a message still queued has no DateSent yet.

Errors: a 4xx refusal is permanent (21211 invalid number, 21614 not a mobile, 21610
the recipient sent STOP, 21408 country not enabled…), except 429 (rate limited) and
401/403 (our credentials: fixable while the alert waits), which are transient like a
5xx. Refused or unreachable connections are transient and certain (nothing was sent);
a timeout or a connection dropped after the request was written, or an unreadable 2xx
answer, are uncertain. The SDK never retries a request itself (no retries are
configured on its session).

Webhooks: `verify_twilio_signature` checks X-Twilio-Signature (HMAC of the URL and the
form fields with the auth token, through the SDK's RequestValidator);
`parse_status_callback` and `parse_inbound` read the forms; `twiml_reply` answers an
inbound SMS. Twilio's signature has no timestamp: pair it with
`reserve.webhooks.refuse_replay` (the `@webhook` decorator does).
"""

import datetime
import logging
import re

from django.conf import settings
from django.http import HttpResponse
from requests import exceptions as http_errors
from twilio.base.exceptions import (
    TwilioException,
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse
from urllib3 import exceptions as urllib3_errors

from . import segments as segment_count
from .base import (
    REFERENCE_PARAM,
    BaseSMSBackend,
    DeliveryStatus,
    InboundSMS,
    ProviderRecord,
    Receipt,
    SentSMS,
    SMSError,
    callback_url,
)

API_BASE_URL = "https://api.twilio.com"

# Twilio's message statuses, in our five words.
STATUSES = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.QUEUED,
    "sent": DeliveryStatus.SENT,
    "partially_delivered": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}

# Refusals of OUR side (credentials, account), not of the message: worth retrying.
TRANSIENT_STATUSES = {401, 403, 429}

MESSAGING_SERVICE = re.compile(r"MG[0-9a-fA-F]{32}")

# How many of the latest messages to a number `lookup` reads.
LOOKUP_LIMIT = 100

# The SDK logs every request at INFO, the recipients' numbers included: not by default.
http_logger = logging.getLogger("reserve.sms.twilio.http")
if http_logger.level == logging.NOTSET:
    http_logger.setLevel(logging.WARNING)


def _setting(name, default=""):
    return getattr(settings, name, default) or default


BEFORE_SENDING = (urllib3_errors.NewConnectionError, urllib3_errors.ConnectTimeoutError)
# Raised by requests before it opens a connection (a bad TWILIO_API_BASE_URL).
NOT_SENT = (
    http_errors.ConnectTimeout,
    http_errors.InvalidURL,
    http_errors.MissingSchema,
    http_errors.InvalidSchema,
)


def _sent_nothing(exc):
    """True when the connection failed before the request was written (refused, no
    route, unknown host, connect timeout): the provider cannot have the message."""
    if isinstance(exc, NOT_SENT):
        return True
    seen, pending = set(), [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, BEFORE_SENDING):
            return True
        pending.append(getattr(error, "reason", None))
        pending.extend(arg for arg in getattr(error, "args", ()) if isinstance(arg, Exception))
        pending.append(error.__cause__)
        pending.append(error.__context__)
    return False


class TwilioBackend(BaseSMSBackend):
    can_lookup = True

    def __init__(
        self,
        *,
        account_sid=None,
        auth_token=None,
        sender=None,
        status_callback_url=None,
        api_base_url=None,
        timeout=10,
    ):
        self.account_sid = account_sid or _setting("TWILIO_ACCOUNT_SID")
        self.auth_token = auth_token or _setting("TWILIO_AUTH_TOKEN")
        self.sender = sender or _setting("SMS_SENDER")
        if status_callback_url is None:
            status_callback_url = _setting("SMS_STATUS_CALLBACK_URL")
        self.status_callback_url = status_callback_url
        if not (self.account_sid and self.auth_token):
            raise SMSError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set.", transient=False)
        if not self.sender:
            raise SMSError("SMS_SENDER is not set.", transient=False)
        self.client = Client(
            self.account_sid,
            self.auth_token,
            http_client=TwilioHttpClient(timeout=timeout, logger=http_logger),
        )
        self.client.api.base_url = api_base_url or _setting("TWILIO_API_BASE_URL", API_BASE_URL)

    def send(self, to, text, *, reference=None):
        if MESSAGING_SERVICE.fullmatch(self.sender):
            origin = {"messaging_service_sid": self.sender}
        else:
            origin = {"from_": self.sender}
        status_callback = callback_url(self.status_callback_url, reference)
        if status_callback:
            origin["status_callback"] = status_callback
        try:
            message = self.client.messages.create(to=to, body=text, **origin)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _refusal(exc) from exc
        except http_errors.RequestException as exc:
            if _sent_nothing(exc):
                raise SMSError(f"Twilio unreachable: {exc}", transient=True) from exc
            raise SMSError(f"Twilio did not answer: {exc}", transient=True, uncertain=True) from exc
        except (TwilioException, ValueError) as exc:
            # A 2xx answer we cannot read: Twilio took the message.
            raise SMSError(
                f"Twilio sent an unreadable answer: {exc}", transient=True, uncertain=True
            ) from exc
        # Through a Messaging Service the count is 0 until a sender is picked: ours then.
        try:
            billed = int(message.num_segments or 0)
        except ValueError:
            billed = 0
        return SentSMS(message.sid, segments=billed or segment_count.segments(text))

    def lookup(self, reference, *, to, since, contains=None):
        needle = contains or reference
        # Twilio's clock and ours may differ by a little; the body match decides.
        earliest = since - datetime.timedelta(minutes=5)
        try:
            messages = self.client.messages.list(to=to, limit=LOOKUP_LIMIT)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise SMSError(
                f"Twilio did not list the messages ({exc.status}): {_message(exc)}",
                transient=True,
            ) from exc
        except (TwilioException, http_errors.RequestException, ValueError) as exc:
            raise SMSError(f"Twilio did not list the messages: {exc}", transient=True) from exc
        for message in messages:
            created = message.date_created
            if created is not None and created < earliest:
                continue
            if needle and needle in (message.body or ""):
                return ProviderRecord(
                    provider_id=message.sid,
                    status=STATUSES.get(message.status, DeliveryStatus.QUEUED),
                    to=message.to,
                    reference=reference,
                )
        return None


def _message(exc):
    return getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")


def _refusal(exc):
    status = exc.status or 0
    detail = f"Twilio refused the message ({status}, code {exc.code}): {_message(exc)}"
    transient = status >= 500 or status in TRANSIENT_STATUSES
    return SMSError(detail, transient=transient, code=exc.code)


def verify_twilio_signature(request, *, url=None, auth_token=None):
    """True when the request carries a valid X-Twilio-Signature for the URL Twilio
    called: `url` if given, else SITE_URL followed by the request's path and query
    (Twilio signs the public URL, which a reverse proxy hides from
    `request.build_absolute_uri`), else that. Form posts only (Twilio's SMS webhooks)."""
    token = auth_token or _setting("TWILIO_AUTH_TOKEN")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not token or not signature:
        return False
    if url is None:
        site = _setting("SITE_URL")
        url = site.rstrip("/") + request.get_full_path() if site else request.build_absolute_uri()
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER, ""))
    return RequestValidator(token).validate(url, request.POST, signature, algorithm)


def parse_status_callback(post, *, query=None):
    """The `Receipt` of a status callback: `post` is its form (request.POST), `query`
    its query string (request.GET), where our reference is."""
    status = post.get("MessageStatus") or post.get("SmsStatus") or ""
    error_code = post.get("ErrorCode") or ""
    reason = ""
    if error_code:
        reason = f"Twilio error {error_code}"
        if post.get("ErrorMessage"):
            reason += f": {post['ErrorMessage']}"
    return Receipt(
        reference=(query or {}).get(REFERENCE_PARAM) or None,
        provider_id=post.get("MessageSid") or post.get("SmsSid") or "",
        status=STATUSES.get(status, DeliveryStatus.QUEUED),
        reason=reason,
        to=post.get("To", ""),
    )


def parse_inbound(post):
    """The `InboundSMS` of an incoming message webhook. With Twilio's Advanced Opt-Out,
    a STOP keyword comes with OptOutType=STOP (and Twilio refuses further messages to
    that number with error 21610 until START)."""
    return InboundSMS(
        from_number=post.get("From", ""),
        text=post.get("Body", ""),
        provider_id=post.get("MessageSid") or post.get("SmsSid") or "",
        to_number=post.get("To", ""),
        opt_out=(post.get("OptOutType") or "").upper() == "STOP",
    )


def twiml_reply(text=""):
    """The answer to an inbound SMS webhook: TwiML that sends `text` back to the sender,
    or sends nothing when `text` is empty."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")
