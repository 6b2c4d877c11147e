"""SMS backends, chosen by the SMS_BACKEND setting, like Django's e-mail backends.

    from reserve.sms import get_sms_backend
    backend = get_sms_backend()
    backend.send("+33612345678", "Mobilisation : …")

- "console" writes the messages to standard output (development);
- "memory" keeps them in `reserve.sms.outbox` (tests);
- "reserve.sms.HttpApiBackend" posts them to a provider's HTTP API (SMS_API_URL,
  SMS_API_KEY, SMS_SENDER), in the JSON shape most providers accept:
  `POST {url}` with `Authorization: Bearer <key>` and
  `{"from": sender, "to": "+33…", "text": "…"}`; a 2xx answer is a success, a 4xx a
  permanent refusal (bad number), a 5xx or a network error a transient one.

Any other dotted path to a class with the same `send(to, text)` method plugs in.
"""

import json
import sys
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

outbox = []


class SMSError(Exception):
    """A message was not (or may not have been) sent.

    `transient`: trying again may succeed. `uncertain`: the request reached the
    provider but its answer was lost or unreadable, so the message may have left;
    a sender that promises at most once must not send it again."""

    def __init__(self, message, *, transient, uncertain=False):
        super().__init__(message)
        self.transient = transient
        self.uncertain = uncertain


class BaseSMSBackend:
    def send(self, to, text):
        """Send one message; return the provider's id (or None); raise SMSError."""
        raise NotImplementedError


class ConsoleBackend(BaseSMSBackend):
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to, text):
        self.stream.write(f"SMS to {to}: {text}\n")
        self.stream.flush()
        return None


class MemoryBackend(BaseSMSBackend):
    def send(self, to, text):
        outbox.append({"to": to, "text": text})
        return str(len(outbox))


class HttpApiBackend(BaseSMSBackend):
    def __init__(self, url=None, api_key=None, sender=None, timeout=10):
        self.url = url or settings.SMS_API_URL
        self.api_key = api_key or settings.SMS_API_KEY
        self.sender = sender or settings.SMS_SENDER
        self.timeout = timeout
        if not self.url:
            raise SMSError("SMS_API_URL is not set.", transient=False)

    def send(self, to, text):
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
        return str(payload.get("id", "")) or None


ALIASES = {"console": ConsoleBackend, "memory": MemoryBackend, "http": HttpApiBackend}


def get_sms_backend(name=None):
    name = name or settings.SMS_BACKEND
    backend_class = ALIASES.get(name) or import_string(name)
    return backend_class()
