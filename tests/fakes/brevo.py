"""A fake Brevo: the transactional SMS API (v3) and the webhooks Brevo calls.

API (the key in the `api-key` header, JSON in and out):
- `POST /v3/transactionalSMS/sms` {sender, recipient, content, type, tag, webUrl,
  unicodeEnabled} → 201 {reference, messageId, smsCount, usedCredits,
  remainingCredits}; errors as Brevo writes them, `{"code": "invalid_parameter",
  "message": …}` (400: missing_parameter, invalid_parameter; 401 unauthorized; 402
  not_enough_credits);
- `GET /v3/transactionalSMS/statistics/events?tags=&days=&phoneNumber=&event=&limit=
  &offset=&sort=` → {"events": [{phoneNumber, date, messageId, event, tag, reason,
  reply}]}, the event log (tags as a JSON array or a plain tag).

Webhooks: `event(message_id, name)` logs an event and posts it to the message's
`webUrl` as Brevo does: JSON with `msg_status`, `to` (digits, no "+"), `messageId`,
`sms_count`, `credits_used`, `remaining_credit`, `date`, `type`, Brevo's `reference`,
with the basic-auth credentials written in the URL sent as an Authorization header.
`reply(from_, text)` and `unsubscribe(from_)` post to the account's SMS webhook
(`webhook_url`, authenticated with `webhook_auth`: ("bearer", token) or ("basic",
user, password)). Brevo documents the fields of its delivery events; for replies and
unsubscriptions the shape here (`msg_status` "replied" / "unsubscribed", the text in
`reply`, as in the event log) is our reading, not a documented one.

E-mail (the transactional API that django-anymail's Brevo backend calls):
- `POST /v3/smtp/email` {sender, to, cc, bcc, replyTo, subject, textContent,
  htmlContent, headers (the metadata as a JSON string in `X-Mailin-custom`), tags,
  params, scheduledAt; or messageVersions, one per recipient} → 201 {"messageId":
  "<…@smtp-relay.mailin.fr>"} ({"messageIds": […]} for versions); errors as above
  (400 missing_parameter, invalid_parameter; 401 unauthorized).
Recorded in `emails` (`emails_to(address)`). `tracking_call(message_id, event)` builds
the call of the account's transactional webhook (`tracking_url`): Brevo's JSON with
`event` (delivered, hard_bounce, soft_bounce, spam, blocked, deferred, opened, click…),
`email`, `message-id`, `ts_epoch` (ms), `X-Mailin-custom` echoed, `tags`, `reason`;
`inbound_call(from_, text)` the inbound-parsing call (`inbound_url`) of a reply from
an address to the Reply-To of the latest e-mail it got, when that address is at
`inbound_domain` (Brevo parses only the domain pointed at it): {"items": [{Uuid,
MessageId, InReplyTo, From, To, Subject, Headers, RawTextBody, RawHtmlBody,
ExtractedMarkdownMessage…}]}. Both authenticate with `email_webhook_secret`
("user:password", anymail's WEBHOOK_SECRET) as HTTP basic auth, or with credentials
written in the URL; `track` and `reply_by_email` emit them.
"""

import datetime
import html
import itertools
import json
import random
import re
import string
import uuid
from email.header import Header
from email.utils import format_datetime, make_msgid, parseaddr

from reserve.sms import segments

from . import Callback, FakeServer, basic_auth_header, split_credentials

SMS = "/v3/transactionalSMS/sms"
EVENTS = "/v3/transactionalSMS/statistics/events"
EMAIL = "/v3/smtp/email"
ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# The event log's names and the webhooks' `msg_status` for each event.
WEBHOOK_STATUS = {
    "sent": "sent",
    "accepted": "accepted",
    "delivered": "delivered",
    "softBounces": "soft_bounce",
    "hardBounces": "hard_bounce",
    "rejected": "rejected",
    "blocked": "blocked",
    "skipped": "skip",
    "replies": "replied",
    "unsubscription": "unsubscribed",
}


class FakeBrevo(FakeServer):
    def __init__(self):
        super().__init__()
        self.api_key = "xkeysib-" + uuid.uuid4().hex
        self.api_url = self.base_url + "/v3"
        self.webhook_secret = uuid.uuid4().hex
        self.webhook_url = ""
        self.webhook_auth = ("bearer", self.webhook_secret)
        self.credits = 1000.0
        self.messages = []  # dicts, oldest first
        self.events = []  # the event log, oldest first
        self._ids = itertools.count(1_511_882_900_176_220)
        self.clock = lambda: datetime.datetime.now(datetime.UTC)
        # E-mail: the sent e-mails and the account's two e-mail webhooks.
        self.emails = []  # dicts, oldest first
        self.email_events = []  # what tracking_call reported, oldest first
        self.email_webhook_secret = f"brevo:{uuid.uuid4().hex}"
        self.tracking_url = ""  # transactional webhook (delivered, bounces, spam…)
        self.inbound_url = ""  # inbound parsing webhook of `inbound_domain`
        self.inbound_domain = "reponses.reserve.test"
        self._email_ids = itertools.count(random.randrange(10**10, 10**11))

    # --- the API -----------------------------------------------------------------------
    def error_body(self, status, *, code=None, message=None):
        default = {400: "invalid_parameter", 401: "unauthorized", 402: "not_enough_credits"}
        return {
            "code": code or default.get(status, "internal_error"),
            "message": message or "Internal server error",
        }

    def _error(self, status, code, message):
        return status, {}, self.error_body(status, code=code, message=message)

    def route(self, request):
        if request.path not in (SMS, EVENTS, EMAIL):
            return self._error(404, "not_found", "Invalid route")
        if request.headers.get("api-key") != self.api_key:
            return self._error(401, "unauthorized", "Key not found")
        if request.path in (SMS, EMAIL) and request.method == "POST":
            try:
                payload = request.json or {}
            except ValueError:
                return self._error(400, "bad_request", "Invalid JSON")
            if not isinstance(payload, dict):
                return self._error(400, "bad_request", "Invalid JSON")
            send = self._send if request.path == SMS else self._send_email
            return send(payload)
        if request.path == EVENTS and request.method == "GET":
            return 200, {}, self._events(request.query)
        return self._error(405, "method_not_allowed", "Method not allowed")

    def _send(self, payload):
        sender, recipient = payload.get("sender"), payload.get("recipient")
        content = payload.get("content")
        for name, value in (("sender", sender), ("recipient", recipient)):
            if not value:
                return self._error(400, "missing_parameter", f"{name} is missing")
        if not content and not payload.get("templateId"):
            return self._error(400, "missing_parameter", "content is missing")
        if not re.fullmatch(r"[A-Za-z0-9]{1,11}|\+?[0-9]{1,15}", sender):
            return self._error(400, "invalid_parameter", "Invalid sender")
        if not re.fullmatch(r"\+?[0-9]{6,15}", recipient):
            return self._error(400, "invalid_parameter", "Invalid phone number")
        tag = payload.get("tag")
        tags = tag if isinstance(tag, list) else [tag] if tag else []
        if len(tags) > 10 or not all(isinstance(t, str) and t for t in tags):
            return self._error(400, "invalid_parameter", "Invalid tag")
        count = max(segments.segments(content), 1)
        if self.credits < count:
            return self._error(402, "not_enough_credits", "Not enough credits")
        self.credits -= count
        message = {
            "messageId": next(self._ids),
            "reference": "".join(random.choices(string.ascii_lowercase + string.digits, k=19)),
            "sender": sender,
            "recipient": recipient,
            "content": content,
            "type": payload.get("type", "transactional"),
            "tags": tags,
            "webUrl": payload.get("webUrl"),
            "unicodeEnabled": payload.get("unicodeEnabled", False),
            "smsCount": count,
        }
        self.messages.append(message)
        self._log(message, "sent")
        return (
            201,
            {},
            {
                "reference": message["reference"],
                "messageId": message["messageId"],
                "smsCount": count,
                "usedCredits": float(count),
                "remainingCredits": self.credits,
            },
        )

    def _log(self, message, name, **extra):
        self.events.append(
            {
                "phoneNumber": message["recipient"].lstrip("+"),
                "date": self.clock().isoformat(timespec="milliseconds"),
                "messageId": str(message["messageId"]),
                "event": name,
                "tag": message["tags"][0] if message["tags"] else None,
                **extra,
            }
        )

    def _events(self, query):
        found = list(self.events)
        if query.get("tags"):
            try:
                wanted = json.loads(query["tags"])
            except ValueError:
                wanted = query["tags"].split(",")
            wanted = set(wanted if isinstance(wanted, list) else [wanted])
            found = [e for e in found if e["tag"] in wanted]
        if query.get("phoneNumber"):
            found = [e for e in found if e["phoneNumber"] == query["phoneNumber"].lstrip("+")]
        if query.get("event"):
            found = [e for e in found if e["event"] == query["event"]]
        if query.get("days"):
            since = self.clock() - datetime.timedelta(days=int(query["days"]))
            found = [e for e in found if datetime.datetime.fromisoformat(e["date"]) >= since]
        if query.get("sort", "desc") == "desc":
            found.reverse()
        offset, limit = int(query.get("offset") or 0), min(int(query.get("limit") or 50), 100)
        events = [{k: v for k, v in e.items() if v is not None} for e in found]
        return {"events": events[offset : offset + limit]}

    def _send_email(self, payload):
        templated = bool(payload.get("templateId"))
        versions = payload.get("messageVersions")
        sender = payload.get("sender")
        if not sender and not templated:
            return self._error(400, "missing_parameter", "sender is missing")
        if sender and not self._is_address(sender) and "id" not in sender:
            return self._error(400, "invalid_parameter", "valid sender email required")
        if not (payload.get("subject") or templated or self._versions_have("subject", versions)):
            return self._error(400, "missing_parameter", "subject is missing")
        if not (payload.get("htmlContent") or payload.get("textContent") or templated):
            message = "Either htmlContent, textContent or templateId is required"
            return self._error(400, "missing_parameter", message)
        if versions is None and not payload.get("to"):
            return self._error(400, "missing_parameter", "to is missing")
        if versions is not None and not (
            isinstance(versions, list)
            and versions
            and all(isinstance(v, dict) and v.get("to") for v in versions)
        ):
            return self._error(400, "invalid_parameter", "messageVersions is not valid")
        for kind in ("to", "cc", "bcc"):
            lists = [payload.get(kind)] + [v.get(kind) for v in versions or []]
            for recipients in filter(None, lists):
                if not isinstance(recipients, list) or not all(
                    self._is_address(r) for r in recipients
                ):
                    return self._error(400, "invalid_parameter", f"email is not valid in {kind}")
        if payload.get("replyTo") and not self._is_address(payload["replyTo"]):
            return self._error(400, "invalid_parameter", "valid replyTo email required")
        headers = payload.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            return self._error(400, "invalid_parameter", "headers values must be strings")
        tags = payload.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            return self._error(400, "invalid_parameter", "tags must be a list of strings")
        common = {k: v for k, v in payload.items() if k != "messageVersions"}
        if versions is None:
            return 201, {}, {"messageId": self._record_email(common)["messageId"]}
        ids = []
        for version in versions:
            merged = {**common, **version, "headers": {**headers, **version.get("headers", {})}}
            ids.append(self._record_email(merged)["messageId"])
        return 201, {}, {"messageIds": ids}

    @staticmethod
    def _is_address(value):
        return isinstance(value, dict) and bool(ADDRESS.fullmatch(str(value.get("email", ""))))

    @staticmethod
    def _versions_have(name, versions):
        return bool(versions) and all(isinstance(v, dict) and v.get(name) for v in versions)

    def _record_email(self, payload):
        now = self.clock()
        email = {
            "messageId": f"<{now:%Y%m%d%H%M%S}.{next(self._email_ids)}@smtp-relay.mailin.fr>",
            "sender": payload.get("sender"),
            "to": payload.get("to") or [],
            "cc": payload.get("cc") or [],
            "bcc": payload.get("bcc") or [],
            "replyTo": payload.get("replyTo"),
            "subject": payload.get("subject", ""),
            "textContent": payload.get("textContent", ""),
            "htmlContent": payload.get("htmlContent", ""),
            "headers": dict(payload.get("headers") or {}),
            "tags": list(payload.get("tags") or []),
            "params": payload.get("params"),
            "templateId": payload.get("templateId"),
            "scheduledAt": payload.get("scheduledAt"),
            "sentAt": now,
        }
        self.emails.append(email)
        return email

    # --- what the tests look at --------------------------------------------------------
    def sent_to(self, number):
        return [m for m in self.messages if m["recipient"] == number]

    def message(self, message_id):
        return next(m for m in self.messages if m["messageId"] == int(message_id))

    def emails_to(self, address):
        """The e-mails sent to `address` (to, cc or bcc), oldest first."""
        address = address.lower()

        def recipients(email):
            return [r["email"].lower() for k in ("to", "cc", "bcc") for r in email[k]]

        return [e for e in self.emails if address in recipients(e)]

    def email(self, message_id):
        return next(e for e in self.emails if e["messageId"] == message_id)

    @staticmethod
    def metadata(email):
        """The metadata anymail sent with an e-mail (the X-Mailin-custom header)."""
        custom = {k.lower(): v for k, v in email["headers"].items()}.get("x-mailin-custom")
        return json.loads(custom) if custom else {}

    # --- webhooks ----------------------------------------------------------------------
    def _post(self, url, payload, auth=None):
        url, credentials = split_credentials(url)
        headers = {"Content-Type": "application/json", "User-Agent": "Brevo-Webhook"}
        if credentials:
            headers["Authorization"] = basic_auth_header(*credentials)
        elif auth and auth[0] == "bearer":
            headers["Authorization"] = f"Bearer {auth[1]}"
        elif auth and auth[0] == "basic":
            headers["Authorization"] = basic_auth_header(auth[1], auth[2])
        return Callback(url=url, headers=headers, body=json.dumps(payload).encode())

    def _payload(self, message, name):
        return {
            "id": 26570,  # the webhook's id
            "to": message["recipient"].lstrip("+"),
            "sms_count": message["smsCount"],
            "credits_used": float(message["smsCount"]),
            "messageId": message["messageId"],
            "remaining_credit": self.credits,
            "msg_status": WEBHOOK_STATUS[name],
            "date": self.clock().strftime("%Y-%m-%d %H:%M:%S"),
            "type": message["type"],
            "reference": message["reference"],
        }

    def webhook_call(self, message_id, name, *, reason=None):
        """Log the event `name` (as the event log names it: delivered, softBounces,
        hardBounces…) and build the call to the message's webUrl (None without one)."""
        message = self.message(message_id)
        self._log(message, name, **({"reason": reason} if reason else {}))
        if not message["webUrl"]:
            return None
        payload = self._payload(message, name)
        if reason:
            payload["description"] = reason
        return self._post(message["webUrl"], payload)

    def event(self, message_id, name="delivered", *, reason=None):
        """`webhook_call`, emitted: our (status, body) answer, or None."""
        call = self.webhook_call(message_id, name, reason=reason)
        return call.emit() if call else None

    def _latest_to(self, number):
        return [m for m in self.messages if m["recipient"].lstrip("+") == number.lstrip("+")][-1]

    def reply_call(self, from_, text):
        """A reply `from_` a phone to the latest message sent to it, logged, and the
        call to the account's SMS webhook that reports it (None without a webhook)."""
        message = self._latest_to(from_)
        self._log(message, "replies", reply=text)
        if not self.webhook_url:
            return None
        payload = {**self._payload(message, "replies"), "reply": text}
        return self._post(self.webhook_url, payload, self.webhook_auth)

    def reply(self, from_, text):
        """`reply_call`, emitted: our (status, body) answer, or None."""
        call = self.reply_call(from_, text)
        return call.emit() if call else None

    def unsubscribe(self, from_):
        """A STOP `from_` a phone: logged, and reported to the account's SMS webhook."""
        message = self._latest_to(from_)
        self._log(message, "unsubscription")
        if not self.webhook_url:
            return None
        payload = self._payload(message, "unsubscription")
        return self._post(self.webhook_url, payload, self.webhook_auth).emit()

    # --- e-mail webhooks ---------------------------------------------------------------
    def _email_webhook(self, url, payload):
        """The call to one of the account's e-mail webhooks: basic auth from the
        credentials in its URL, else from `email_webhook_secret`."""
        url, credentials = split_credentials(url)
        headers = {"Content-Type": "application/json", "User-Agent": "Brevo-Webhook"}
        if credentials is None and self.email_webhook_secret:
            credentials = self.email_webhook_secret.split(":", 1)
        if credentials:
            headers["Authorization"] = basic_auth_header(*credentials)
        return Callback(url=url, headers=headers, body=json.dumps(payload).encode())

    def tracking_call(self, message_id, event="delivered", *, email=None, reason=None, **extra):
        """The transactional webhook's call for `event` of an e-mail (Brevo's names:
        request, delivered, deferred, soft_bounce, hard_bounce, blocked, invalid_email,
        spam, error, unique_opened, opened, click, unsubscribe), for its first recipient
        unless `email` says which; logged in `email_events`. None without `tracking_url`."""
        sent = self.email(message_id)
        now = self.clock()
        payload = {
            "event": event,
            "email": email or sent["to"][0]["email"],
            "id": 1_010_101,  # the webhook's id
            "date": now.strftime("%Y-%m-%d %H:%M:%S"),
            "ts": int(now.timestamp()),
            "message-id": message_id,
            "ts_event": int(now.timestamp()),
            "subject": sent["subject"],
            "sending_ip": "185.41.28.109",
            "ts_epoch": int(now.timestamp() * 1000),
        }
        custom = {k.lower(): v for k, v in sent["headers"].items()}.get("x-mailin-custom")
        if custom:
            payload["X-Mailin-custom"] = custom
        if sent["tags"]:
            payload["tags"] = sent["tags"]
        if reason:
            payload["reason"] = reason
        payload.update(extra)
        self.email_events.append(payload)
        if not self.tracking_url:
            return None
        return self._email_webhook(self.tracking_url, payload)

    def track(self, message_id, event="delivered", **kwargs):
        """`tracking_call`, emitted: our (status, body) answer, or None."""
        call = self.tracking_call(message_id, event, **kwargs)
        return call.emit() if call else None

    def inbound_call(self, from_, text, *, name=None):
        """The inbound-parsing call of a reply `from_` an address to the latest e-mail it
        got, as a mail client writes it (the text, then the original quoted). It goes to
        that e-mail's Reply-To, else its sender: None unless that address is at
        `inbound_domain` and an `inbound_url` is set."""
        original = self.emails_to(from_)[-1]
        to = (original["replyTo"] or original["sender"])["email"]
        if not self.inbound_url or to.rpartition("@")[2].lower() != self.inbound_domain:
            return None
        now = self.clock()
        subject = "Re: " + original["subject"]
        quoted = "\r\n".join("> " + line for line in original["textContent"].splitlines())
        sender = original["sender"] or {}
        said = f"{sender.get('name') or ''} <{sender.get('email', '')}>".strip()
        attribution = f"Le {format_datetime(original['sentAt'])}, {said} a écrit :"
        raw_text = f"{text}\r\n\r\n{attribution}\r\n{quoted}"
        message_id = make_msgid(domain=from_.rpartition("@")[2] or "mail.example.org")
        from_header = f"{name} <{from_}>" if name else from_
        headers = {
            "Received": f"from mail.example.org by inbound.brevo.com; {format_datetime(now)}",
            "Return-Path": f"<{from_}>",
            "Delivered-To": to,
            "Message-ID": message_id,
            "In-Reply-To": original["messageId"],
            "References": original["messageId"],
            "Date": format_datetime(now),
            "From": _header(from_header),
            "To": to,
            "Subject": _header(subject),
            "Content-Type": "text/plain; charset=UTF-8",
            "MIME-Version": "1.0",
        }
        item = {
            "Uuid": [str(uuid.uuid4())],
            "MessageId": message_id,
            "InReplyTo": original["messageId"],
            "From": {"Name": name, "Address": parseaddr(from_)[1]},
            "To": [{"Name": None, "Address": to}],
            "Cc": None,
            "ReplyTo": None,
            "SentAtDate": format_datetime(now),
            "Subject": subject,
            "Attachments": [],
            "Headers": headers,
            "SpamScore": 0.1,
            "ExtractedMarkdownMessage": text,
            "ExtractedMarkdownSignature": None,
            "RawHtmlBody": f"<div>{html.escape(text)}</div><blockquote>"
            f"{original['htmlContent'] or html.escape(original['textContent'])}</blockquote>",
            "RawTextBody": raw_text,
        }
        return self._email_webhook(self.inbound_url, {"items": [item]})

    def reply_by_email(self, from_, text, **kwargs):
        """`inbound_call`, emitted: our (status, body) answer, or None."""
        call = self.inbound_call(from_, text, **kwargs)
        return call.emit() if call else None


def _header(value):
    """A header's value as it travels: RFC 2047 encoded when not ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()
