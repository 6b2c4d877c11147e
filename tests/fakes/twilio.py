"""A fake Twilio: the Messages resource of the REST API (2010-04-01) and the callbacks
Twilio makes, signed as Twilio signs them.

API (HTTP basic auth with the Account SID and auth token, as the SDK sends it):
- `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded To, From or
  MessagingServiceSid, Body, StatusCallback → 201 and the Message resource (`sid`
  "SM…", `status` "queued", or "accepted" through a Messaging Service, whose
  `num_segments` is then "0");
- `GET …/Messages.json?To=&From=&DateSent>=&PageSize=&Page=` → a page of them, newest
  first (DateSent filters by day and leaves out messages not sent yet, like Twilio);
- `GET …/Messages/{Sid}.json` → one.
Errors are Twilio's JSON: `{"code": 21211, "message": …, "more_info": …, "status": 400}`
(21604 no To, 21603 no From, 21602 no Body, 21211 invalid To, 21614 not a mobile,
21610 unsubscribed recipient, 21617 body over 1600 characters, 20003 bad credentials,
20404 not found).

Callbacks: `status_callback(sid, status)` and `inbound(url, from_, body)` build the
form-encoded POST Twilio makes, with X-Twilio-Signature computed by the SDK's
RequestValidator (HMAC-SHA1 of the URL and the sorted fields, with the auth token),
and an I-Twilio-Idempotency-Token; `.emit()` sends it. `deliver(sid, status)` moves a
message on and emits its status callback when it has one. An inbound STOP (or
STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) carries OptOutType=STOP, as with Twilio's
Advanced Opt-Out, and later sends to that number are refused with 21610 until START.
"""

import datetime
import re
import uuid
from email.utils import format_datetime
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from reserve.sms import segments

from . import Callback, FakeServer

API = "/2010-04-01/Accounts"
OPT_OUT = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke"}
OPT_IN = {"start", "unstop", "yes"}
E164 = re.compile(r"\+[1-9][0-9]{7,14}")


class FakeTwilio(FakeServer):
    def __init__(self):
        super().__init__()
        self.account_sid = "AC" + uuid.uuid4().hex
        self.auth_token = uuid.uuid4().hex
        self.number = "+33757000000"
        self.messages = []  # the account's Message records (dicts, oldest first)
        self.not_mobile = set()  # numbers refused with 21614
        self.opted_out = set()  # numbers that sent STOP: refused with 21610
        self.clock = lambda: datetime.datetime.now(datetime.UTC)

    # --- the API -----------------------------------------------------------------------
    def error_body(self, status, *, code=None, message=None):
        code = code or {401: 20003, 404: 20404, 429: 20429}.get(status, status * 100)
        return {
            "code": code,
            "message": message or "Service unavailable",
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def _error(self, status, code, message):
        return status, {}, self.error_body(status, code=code, message=message)

    def route(self, request):
        match = re.fullmatch(rf"{API}/([^/]+)/Messages(?:/([^/]+))?\.json", request.path)
        not_found = self._error(404, 20404, f"The requested resource {request.path} was not found")
        if match is None:
            return not_found
        if request.basic_auth != (self.account_sid, self.auth_token):
            return self._error(401, 20003, "Authenticate")
        if match.group(1) != self.account_sid:
            return not_found
        sid = match.group(2)
        if sid:
            found = [m for m in self.messages if m["sid"] == sid]
            if request.method != "GET" or not found:
                return not_found
            return 200, {}, self.resource(found[0])
        if request.method == "POST":
            return self._create(request.form)
        if request.method == "GET":
            return 200, {}, self._page(request.query)
        return self._error(405, 20004, "Method not allowed")

    def _create(self, form):
        to, body = form.get("To", ""), form.get("Body")
        service = form.get("MessagingServiceSid")
        if not to:
            return self._error(400, 21604, "A 'To' phone number is required.")
        if not (form.get("From") or service):
            return self._error(400, 21603, "A 'From' phone number is required.")
        if not body:
            return self._error(400, 21602, "Message body is required.")
        if not E164.fullmatch(to):
            return self._error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if to in self.not_mobile:
            return self._error(400, 21614, f"'To' number {to} is not a valid mobile number")
        if to in self.opted_out:
            return self._error(400, 21610, "Attempt to send to unsubscribed recipient")
        if len(body) > 1600:
            return self._error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit"
            )
        now = self.clock()
        message = {
            "sid": "SM" + uuid.uuid4().hex,
            "to": to,
            "from": None if service else form["From"],
            "messaging_service_sid": service,
            "body": body,
            "status": "accepted" if service else "queued",
            "direction": "outbound-api",
            "num_segments": "0" if service else str(segments.segments(body)),
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "status_callback": form.get("StatusCallback"),
        }
        self.messages.append(message)
        return 201, {}, self.resource(message)

    def resource(self, message):
        def rfc2822(moment):
            return format_datetime(moment) if moment else None

        uri = f"{API}/{self.account_sid}/Messages/{message['sid']}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": message["body"],
            "date_created": rfc2822(message["date_created"]),
            "date_sent": rfc2822(message["date_sent"]),
            "date_updated": rfc2822(message["date_updated"]),
            "direction": message["direction"],
            "error_code": message["error_code"],
            "error_message": message["error_message"],
            "from": message["from"],
            "messaging_service_sid": message["messaging_service_sid"],
            "num_media": "0",
            "num_segments": message["num_segments"],
            "price": None,
            "price_unit": "USD",
            "sid": message["sid"],
            "status": message["status"],
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": message["to"],
            "uri": uri,
        }

    def _page(self, query):
        def day(value):
            return datetime.date.fromisoformat(value[:10])

        found = sorted(self.messages, key=lambda m: m["date_created"], reverse=True)
        for name, field in (("To", "to"), ("From", "from")):
            if query.get(name):
                found = [m for m in found if m[field] == query[name]]
        for name, keep in (
            ("DateSent", lambda sent, limit: sent == limit),
            ("DateSent<", lambda sent, limit: sent <= limit),
            ("DateSent>", lambda sent, limit: sent >= limit),
        ):
            if query.get(name):
                limit = day(query[name])
                found = [m for m in found if m["date_sent"] and keep(m["date_sent"].date(), limit)]
        size = min(int(query.get("PageSize") or 50), 1000)
        page = int(query.get("Page") or 0)
        chunk = found[page * size : (page + 1) * size]
        uri = f"{API}/{self.account_sid}/Messages.json"

        def page_uri(number):
            params = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}
            return f"{uri}?{urlencode({**params, 'PageSize': size, 'Page': number})}"

        more = (page + 1) * size < len(found)
        return {
            "messages": [self.resource(m) for m in chunk],
            "start": page * size,
            "end": page * size + max(len(chunk) - 1, 0),
            "page": page,
            "page_size": size,
            "uri": page_uri(page),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if more else None,
            "previous_page_uri": page_uri(page - 1) if page else None,
        }

    # --- what the tests look at --------------------------------------------------------
    def sent_to(self, number):
        return [m for m in self.messages if m["to"] == number and m["direction"] != "inbound"]

    def message(self, sid):
        return next(m for m in self.messages if m["sid"] == sid)

    # --- callbacks ---------------------------------------------------------------------
    def signed(self, url, params):
        """The POST Twilio makes to `url` with the form `params`."""
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return Callback(
            url=url,
            body=urlencode(params).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "TwilioProxy/1.1",
                "X-Twilio-Signature": signature,
                "I-Twilio-Idempotency-Token": uuid.uuid4().hex,
            },
        )

    def deliver(self, sid, status="delivered", *, error_code=None, error_message=None):
        """Move the message on to `status`, and emit its status callback if it has one:
        returns our (status, body) answer, or None."""
        message = self.message(sid)
        message["status"] = status
        message["date_updated"] = self.clock()
        if status in ("sent", "delivered", "undelivered", "read") and not message["date_sent"]:
            message["date_sent"] = message["date_updated"]
        message["error_code"], message["error_message"] = error_code, error_message
        if message["status_callback"]:
            return self.status_callback(sid).emit()
        return None

    def status_callback(self, sid):
        """The status callback of the message as it stands (not emitted)."""
        message = self.message(sid)
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "From": message["from"] or self.number,
            "MessageSid": message["sid"],
            "MessageStatus": message["status"],
            "SmsSid": message["sid"],
            "SmsStatus": message["status"],
            "To": message["to"],
        }
        if message["messaging_service_sid"]:
            params["MessagingServiceSid"] = message["messaging_service_sid"]
        if message["error_code"]:
            params["ErrorCode"] = str(message["error_code"])
        if message["status"] in ("delivered", "undelivered"):
            params["RawDlrDoneDate"] = message["date_updated"].strftime("%y%m%d%H%M")
        return self.signed(message["status_callback"], params)

    def inbound(self, url, *, from_, body, to=None):
        """The webhook call of an SMS `from_` a phone to our number (not emitted); the
        fake records it as an inbound message and applies Twilio's opt-out keywords."""
        to = to or self.number
        sid = "SM" + uuid.uuid4().hex
        keyword = body.strip().lower()
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "Body": body,
            "From": from_,
            "FromCity": "",
            "FromCountry": "FR",
            "FromState": "",
            "FromZip": "",
            "MessageSid": sid,
            "NumMedia": "0",
            "NumSegments": str(max(segments.segments(body), 1)),
            "ReferralNumMedia": "0",
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "To": to,
            "ToCity": "",
            "ToCountry": "FR",
            "ToState": "",
            "ToZip": "",
        }
        if keyword in OPT_OUT:
            params["OptOutType"] = "STOP"
            self.opted_out.add(from_)
        elif keyword in OPT_IN:
            params["OptOutType"] = "START"
            self.opted_out.discard(from_)
        elif keyword == "help":
            params["OptOutType"] = "HELP"
        now = self.clock()
        self.messages.append(
            {
                "sid": sid,
                "to": to,
                "from": from_,
                "messaging_service_sid": None,
                "body": body,
                "status": "received",
                "direction": "inbound",
                "num_segments": params["NumSegments"],
                "date_created": now,
                "date_updated": now,
                "date_sent": now,
                "error_code": None,
                "error_message": None,
                "status_callback": None,
            }
        )
        return self.signed(url, params)
