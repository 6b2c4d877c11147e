"""A generic JSON SMS API (SMS_API_URL, SMS_API_KEY, SMS_SENDER), for a provider that
takes the shape most of them accept: `POST {url}` with `Authorization: Bearer <key>`
and `{"from": sender, "to": "+33…", "text": "…"}`; a 2xx answer is a success (its
`id` is the provider's id), a 4xx a permanent refusal (bad number), a 5xx or a network
error a transient one. It keeps no reference and offers no lookup: prefer the Twilio
or Brevo backends, which do."""

import json
import urllib.error
import urllib.request

from django.conf import settings

from . import segments as segment_count
from .base import BaseSMSBackend, SentSMS, SMSError


class HttpApiBackend(BaseSMSBackend):
    def __init__(self, url=None, api_key=None, sender=None, timeout=10):
        self.url = url or settings.SMS_API_URL
        self.api_key = api_key or settings.SMS_API_KEY
        self.sender = sender or settings.SMS_SENDER
        self.timeout = timeout
        if not self.url:
            raise SMSError("SMS_API_URL is not set.", transient=False)

    def send(self, to, text, *, reference=None):
        body = json.dumps({"from": self.sender, "to": to, "text": text}).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is our own setting
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.api_key}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode(errors="replace")
            raise SMSError(
                f"SMS provider answered {exc.code}: {detail}", transient=exc.code >= 500
            ) from exc
        except urllib.error.URLError as exc:
            # Raised while connecting (refused, unknown host): nothing was sent.
            raise SMSError(f"SMS provider unreachable: {exc.reason}", transient=True) from exc
        except (TimeoutError, OSError) as exc:
            # The request was written; the answer never came.
            raise SMSError(
                f"SMS provider did not answer: {exc}", transient=True, uncertain=True
            ) from exc
        except ValueError as exc:
            # A 2xx answer: the provider took the message, whatever its body says.
            raise SMSError(
                "SMS provider sent an unreadable answer.", transient=True, uncertain=True
            ) from exc
        return SentSMS(str(payload.get("id", "")), segments=segment_count.segments(text))
