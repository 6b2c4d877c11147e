"""Brevo: transactional SMS through the official `brevo-python` package (v5, `brevo.Brevo`),
and what Brevo sends back.

Why Brevo rather than OVHcloud (the other French SMS provider we weighed): one French
provider, with its data in the EU, for the SMS and the transactional e-mail of the
call-ups (django-anymail has a Brevo backend for the e-mail, with its tracking and
inbound webhooks), so one contract, one account and one dashboard for both channels;
a per-message webhook URL (`webUrl`) for delivery reports, replies to a number reported
as events, a tag per message that its event log can be filtered on (what `lookup`
needs), and an official, maintained Python SDK. OVHcloud's SMS API is good and cheap
but covers SMS only, signs its API calls with its own scheme and has no maintained
client for its webhooks; e-mail would stay a second provider.

Settings: BREVO_API_KEY; SMS_SENDER, at most 11 letters and digits ("Reserve") or a
number of at most 15 digits (replies need a number: French carriers do not route
answers to an alphanumeric sender); SMS_STATUS_CALLBACK_URL, our delivery-report
webhook (empty: no reports); SMS_WEBHOOK_SECRET, the secret Brevo presents to it;
BREVO_API_URL, "https://api.brevo.com/v3" unless tests point the SDK at a fake.

What Brevo offers, and what we use of it:
- `POST /v3/transactionalSMS/sms` (`transactional_sms.send_transac_sms`): sender,
  recipient, content, type "transactional", `tag` (we put our reference there),
  `webUrl` (the report URL for this message: we add `?ref=<reference>`), and
  `unicodeEnabled` (set when the text is UCS-2). Answer: `messageId` (our provider id),
  `reference` (Brevo's own), `smsCount`, `usedCredits`, `remainingCredits`. There is no
  idempotency key. The SDK retries 408/409/429/5xx and connection errors by itself:
  not here (max_retries=0), the caller's backoff decides.
- `GET /v3/transactionalSMS/statistics/events` (`get_sms_events`): the event log,
  filtered by `tags` (a serialized array), `days`, `phoneNumber`, `event`: `lookup`
  reads the events of the reference's tag. Events: accepted, sent, delivered,
  softBounces, hardBounces, blocked, rejected, skipped, replies (with `reply`, the
  text), unsubscription.
- Webhooks: JSON POSTs with `msg_status` (sent, delivered, soft_bounce, hard_bounce…),
  `to`, `messageId`, `sms_count`, `date`, Brevo's `reference`; replies and
  unsubscriptions as events of the account's SMS webhook. Brevo does NOT sign its
  webhooks (no HMAC): a webhook is authenticated by credentials Brevo presents, either
  basic auth written in the URL (`https://user:secret@host/…`) or a bearer token set
  on the webhook (`auth: {"type": "bearer", "token": …}`). `verify_brevo_webhook`
  accepts SMS_WEBHOOK_SECRET as the basic-auth password or as the bearer token, in
  constant time; the backend writes it into each message's `webUrl` (user "reserve")
  unless the URL already has credentials. With no signature over the body, use HTTPS
  and the replay guard (`reserve.webhooks`), and treat every event as idempotent.
"""

import json
import re
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from anymail.utils import get_request_basic_auth
from brevo import Brevo
from brevo.core.api_error import ApiError
from brevo.core.parse_error import ParsingError
from django.conf import settings
from django.utils import timezone

from ..webhooks import constant_time_equals
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

API_URL = "https://api.brevo.com/v3"
WEBHOOK_USER = "reserve"

# Brevo names its events differently in webhooks ("soft_bounce"), in the event log
# ("softBounces") and in its docs ("softBounce"): compared lower case, letters only.
STATUSES = {
    "accepted": DeliveryStatus.QUEUED,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "softbounce": DeliveryStatus.UNDELIVERED,
    "softbounces": DeliveryStatus.UNDELIVERED,
    "hardbounce": DeliveryStatus.FAILED,
    "hardbounces": DeliveryStatus.FAILED,
    "bounces": DeliveryStatus.FAILED,
    "blocked": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.FAILED,
    "skip": DeliveryStatus.FAILED,
    "skipped": DeliveryStatus.FAILED,
}
REPLIES = {"reply", "replied", "replies"}
OPT_OUTS = {"unsubscribe", "unsubscribed", "unsubscription"}

# Refusals of OUR side (key, credits, rate): worth retrying while the alert waits.
TRANSIENT_STATUSES = {401, 402, 403, 408, 409, 429}

# Connection errors raised before the request was written: nothing reached Brevo.
BEFORE_SENDING = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def _setting(name, default=""):
    return getattr(settings, name, default) or default


def _e164(number):
    """Brevo writes numbers as digits without "+" in its events."""
    number = str(number or "")
    return f"+{number}" if number.isdigit() else number


def _event_name(raw):
    return re.sub(r"[^a-z]", "", str(raw or "").lower())


def with_credentials(url, secret, user=WEBHOOK_USER):
    """`url` with `user:secret@` written in it, as Brevo expects basic-auth
    credentials, unless it has some already or there is no secret."""
    if not url or not secret:
        return url
    parts = urlsplit(url)
    if parts.username is not None:
        return url
    netloc = f"{quote(user, safe='')}:{quote(secret, safe='')}@{parts.netloc}"
    return urlunsplit(parts._replace(netloc=netloc))


class BrevoBackend(BaseSMSBackend):
    can_lookup = True

    def __init__(
        self,
        *,
        api_key=None,
        sender=None,
        status_callback_url=None,
        webhook_secret=None,
        api_url=None,
        timeout=10,
    ):
        self.api_key = api_key or _setting("BREVO_API_KEY")
        self.sender = sender or _setting("SMS_SENDER")
        if status_callback_url is None:
            status_callback_url = _setting("SMS_STATUS_CALLBACK_URL")
        if webhook_secret is None:
            webhook_secret = _setting("SMS_WEBHOOK_SECRET")
        self.status_callback_url = with_credentials(status_callback_url, webhook_secret)
        if not self.api_key:
            raise SMSError("BREVO_API_KEY is not set.", transient=False)
        if not re.fullmatch(r"[A-Za-z0-9]{1,11}|\+?[0-9]{1,15}", self.sender or ""):
            raise SMSError(
                "SMS_SENDER must be at most 11 letters and digits, or a number.",
                transient=False,
            )
        self.client = Brevo(
            api_key=self.api_key,
            base_url=api_url or _setting("BREVO_API_URL", API_URL),
            timeout=timeout,
            # The SDK would take BREVO_CLIENT_ID/SECRET from the environment over the key.
            client_id=None,
            client_secret=None,
        )

    def send(self, to, text, *, reference=None):
        options = {}
        if reference:
            options["tag"] = reference
        web_url = callback_url(self.status_callback_url, reference)
        if web_url:
            options["web_url"] = web_url
        try:
            answer = self.client.transactional_sms.send_transac_sms(
                sender=self.sender,
                recipient=to,
                content=text,
                type="transactional",
                unicode_enabled=segment_count.encoding(text) == segment_count.UCS2,
                request_options={"max_retries": 0},
                **options,
            )
        except ApiError as exc:
            raise _refusal(exc) from exc
        except ParsingError as exc:
            # A 2xx answer of another shape: Brevo took the message.
            raise SMSError(
                f"Brevo sent an unreadable answer: {exc.body!r:.200}",
                transient=True,
                uncertain=exc.status_code is not None and exc.status_code < 300,
            ) from exc
        except BEFORE_SENDING as exc:
            raise SMSError(f"Brevo unreachable: {exc!r}", transient=True) from exc
        except httpx.HTTPError as exc:
            # Timeout or connection lost once the request was written.
            raise SMSError(
                f"Brevo did not answer: {exc!r}", transient=True, uncertain=True
            ) from exc
        return SentSMS(
            "" if answer.message_id is None else str(answer.message_id),
            segments=answer.sms_count or segment_count.segments(text),
        )

    def lookup(self, reference, *, to, since, contains=None):
        """Brevo's event log for the tag `reference` since `since` (whole days: the log
        filters by day). `to` and `contains` are not used: the tag is ours and unique;
        the phone number is not filtered on because Brevo's format for it (with or
        without "+") is not documented. The log may lag a little behind the send: ask
        once the claim has timed out, not right after."""
        days = max(1, (timezone.now() - since).days + 2)
        try:
            answer = self.client.transactional_sms.get_sms_events(
                tags=json.dumps([reference]),
                days=days,
                limit=100,
                sort="desc",
                request_options={"max_retries": 0},  # the caller's next sweep asks again
            )
        except (ApiError, ParsingError, httpx.HTTPError) as exc:
            raise SMSError(f"Brevo did not list the events: {exc!r:.300}", transient=True) from exc
        record = None
        for event in answer.events or ():
            if event.tag and event.tag != reference:
                continue  # the filter was not applied: not ours
            status = STATUSES.get(_event_name(event.event))
            if status is None:
                continue  # a reply or an unsubscription says nothing of delivery
            if record is None or _rank(status) > _rank(record.status):
                record = ProviderRecord(
                    provider_id=str(event.message_id or ""),
                    status=status,
                    to=_e164(event.phone_number),
                    reference=reference,
                )
        return record


def _rank(status):
    order = [
        DeliveryStatus.QUEUED,
        DeliveryStatus.SENT,
        DeliveryStatus.UNDELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.DELIVERED,
    ]
    return order.index(status)


def _refusal(exc):
    status = exc.status_code or 0
    body = exc.body
    if isinstance(body, dict):
        code, message = body.get("code"), body.get("message") or body
    else:  # the SDK's ErrorModel for 402 and 429, or a text
        code, message = getattr(body, "code", None), getattr(body, "message", None) or body
    if 200 <= status < 300:
        # The SDK could not read a 2xx answer: Brevo took the message.
        return SMSError(
            f"Brevo sent an unreadable answer ({status}).", transient=True, uncertain=True
        )
    detail = f"Brevo refused the message ({status}, {code}): {message!s:.200}"
    transient = status >= 500 or status in TRANSIENT_STATUSES
    return SMSError(detail, transient=transient, code=code)


def verify_brevo_webhook(request, *, secret=None):
    """True when the request presents SMS_WEBHOOK_SECRET as its bearer token or as the
    password of its basic auth (Brevo's two ways; it signs nothing). Constant time; an
    unset secret refuses everything."""
    secret = secret or _setting("SMS_WEBHOOK_SECRET")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return constant_time_equals(credentials.strip(), secret)
    _user, _, password = (get_request_basic_auth(request) or "").partition(":")
    return constant_time_equals(password, secret)


def parse_brevo_events(body, *, query=None):
    """Receipts and inbound messages from a Brevo SMS webhook call: `body` is the raw
    body (bytes or str) or its decoded JSON, one event or a list (batched webhooks);
    `query` the call's query string (request.GET), where our reference is. Events that
    say nothing of delivery or replies are left out. Raises ValueError on a body that is
    not JSON."""
    if isinstance(body, bytes | str):
        body = json.loads(body or "null")
    events = body if isinstance(body, list) else [body]
    reference = (query or {}).get(REFERENCE_PARAM) or None
    parsed = []
    for event in events:
        if not isinstance(event, dict):
            continue
        name = _event_name(event.get("msg_status") or event.get("event"))
        number = _e164(event.get("to") or event.get("phoneNumber") or event.get("from"))
        provider_id = str(event.get("messageId") or event.get("message_id") or "")
        tag = event.get("tag") or event.get("tags")
        if isinstance(tag, list):
            tag = tag[0] if tag else None
        ours = reference or tag or None
        if name in REPLIES or name in OPT_OUTS:
            parsed.append(
                InboundSMS(
                    from_number=number,
                    text=str(event.get("reply") or event.get("text") or ""),
                    provider_id=provider_id,
                    reference=ours,
                    opt_out=name in OPT_OUTS,
                )
            )
        elif name in STATUSES:
            status = STATUSES[name]
            reason = ""
            if status in (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED):
                detail = event.get("reason") or event.get("description") or ""
                reason = f"Brevo {name}: {detail}" if detail else f"Brevo {name}"
            parsed.append(
                Receipt(
                    reference=ours,
                    provider_id=provider_id,
                    status=status,
                    reason=reason,
                    to=number,
                )
            )
    return parsed
