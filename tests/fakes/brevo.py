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
"""

import datetime
import itertools
import json
import random
import re
import string
import uuid

from reserve.sms import segments

from . import Callback, FakeServer, basic_auth_header, split_credentials

SMS = "/v3/transactionalSMS/sms"
EVENTS = "/v3/transactionalSMS/statistics/events"

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
        if request.path not in (SMS, EVENTS):
            return self._error(404, "not_found", "Invalid route")
        if request.headers.get("api-key") != self.api_key:
            return self._error(401, "unauthorized", "Key not found")
        if request.path == SMS and request.method == "POST":
            try:
                payload = request.json
            except ValueError:
                return self._error(400, "bad_request", "Invalid JSON")
            return self._send(payload or {})
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

    # --- what the tests look at --------------------------------------------------------
    def sent_to(self, number):
        return [m for m in self.messages if m["recipient"] == number]

    def message(self, message_id):
        return next(m for m in self.messages if m["messageId"] == int(message_id))

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
