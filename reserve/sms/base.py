"""What every SMS backend shares: the interface, its results and errors, and the two
backends without a provider (console, memory).

The interface, in both directions:

- `send(to, text, *, reference=None)` hands one message over and returns a `SentSMS`:
  a `str` whose value is the provider's id (so the callers that stored or compared the
  id before keep working), with `provider_id` and `segments` attributes. `reference`
  is OUR idempotency key, stored by the caller before the hand-over; providers give it
  back in their callbacks (`Receipt.reference`) and their records (`lookup`).
- `lookup(reference, *, to, since, contains=None)` asks the provider for its own record
  of a message we may have handed over (a worker died between the hand-over and the
  answer): `None` when the provider has no such message, so it may be sent again;
  else a `ProviderRecord`. Backends that keep no record say so with `can_lookup = False`.
- Errors are `SMSError`s, with `transient` (trying again may succeed) and `uncertain`
  (the request may have reached the provider: a sender that promises at most once must
  not send it again without a `lookup` first).
- What comes back from a provider is parsed by its module into `Receipt`s (delivery
  reports) and `InboundSMS` (replies, opt-outs), whatever the provider.
"""

import sys
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import segments as segment_count

# The query parameter that carries our reference in the callback URLs we give providers.
REFERENCE_PARAM = "ref"

outbox = []


class SMSError(Exception):
    """A message was not (or may not have been) sent.

    `transient`: trying again may succeed. `uncertain`: the request reached the
    provider but its answer was lost or unreadable, so the message may have left;
    a sender that promises at most once must not send it again. `code`: the
    provider's own error code when it gave one (Twilio's 21610, "unsubscribed
    recipient", tells the caller the volunteer sent STOP)."""

    def __init__(self, message, *, transient, uncertain=False, code=None):
        super().__init__(message)
        self.transient = transient
        self.uncertain = uncertain
        self.code = code


class SentSMS(str):
    """What `send` returns: the provider's message id as a string ("" when the backend
    has none), plus `provider_id` (the same string) and `segments` (how many SMS the
    network bills: the provider's count when it gave one, else ours)."""

    def __new__(cls, provider_id, *, segments):
        sent = super().__new__(cls, provider_id or "")
        sent.segments = segments
        return sent

    @property
    def provider_id(self):
        return str(self)

    def __repr__(self):
        return f"SentSMS({str(self)!r}, segments={self.segments})"


class DeliveryStatus(StrEnum):
    """Where a message stands, in every provider's words mapped to these five."""

    QUEUED = "queued"  # the provider has it, it has not left yet
    SENT = "sent"  # handed to the carrier
    DELIVERED = "delivered"  # the handset acknowledged it
    UNDELIVERED = "undelivered"  # the carrier could not deliver it (phone off, roaming…)
    FAILED = "failed"  # never sent (invalid or blocked number, refused content)


@dataclass(frozen=True)
class Receipt:
    """A delivery report. `reference` is ours (None if the callback did not carry it:
    find the message by `provider_id`); `reason` says why it failed, when it did."""

    reference: str | None
    provider_id: str
    status: DeliveryStatus
    reason: str = ""
    to: str = ""


@dataclass(frozen=True)
class InboundSMS:
    """A text someone sent us (a reply to a call-up), or an opt-out the provider saw.

    `reference` is the reference of the message it answers, when the provider links
    them (Brevo does, Twilio does not: match on `from_number`). `opt_out` is True when
    the provider recorded a STOP and will refuse further messages to that number."""

    from_number: str
    text: str
    provider_id: str
    to_number: str = ""
    reference: str | None = None
    opt_out: bool = False


@dataclass(frozen=True)
class ProviderRecord:
    """The provider's own record of a message, found by `lookup`."""

    provider_id: str
    status: DeliveryStatus
    to: str = ""
    reference: str | None = None


def callback_url(url, reference):
    """`url` with our reference added to its query string (`?ref=<reference>`), as we
    give it to a provider for the delivery reports of one message."""
    if not url or not reference:
        return url or None
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(k, v) for k, v in query if k != REFERENCE_PARAM]
    query.append((REFERENCE_PARAM, reference))
    return urlunsplit(parts._replace(query=urlencode(query)))


class BaseSMSBackend:
    #: True when `lookup` can ask the provider for its records.
    can_lookup = False

    def send(self, to, text, *, reference=None):
        """Send one message; return a `SentSMS`; raise SMSError."""
        raise NotImplementedError

    def lookup(self, reference, *, to, since, contains=None):
        """The provider's record of the message sent with `reference` to `to` at or
        after `since` (an aware datetime), or None when the provider never accepted
        it. `contains`: a text that only that message has (defaults to `reference`),
        for providers that keep no reference of ours. Raises SMSError (transient) when
        the provider cannot be asked now."""
        raise NotImplementedError(f"{type(self).__name__} keeps no record of its messages.")


class ConsoleBackend(BaseSMSBackend):
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to, text, *, reference=None):
        self.stream.write(f"SMS to {to}: {text}\n")
        self.stream.flush()
        return SentSMS("", segments=segment_count.segments(text))


class MemoryBackend(BaseSMSBackend):
    """Keeps the messages in `reserve.sms.outbox` (tests): `{"to", "text"}`, plus
    `"reference"` when the caller gave one. Its lookup reads that outbox."""

    can_lookup = True

    def send(self, to, text, *, reference=None):
        message = {"to": to, "text": text}
        if reference is not None:
            message["reference"] = reference
        outbox.append(message)
        return SentSMS(str(len(outbox)), segments=segment_count.segments(text))

    def lookup(self, reference, *, to, since=None, contains=None):
        needle = contains or reference
        for index, message in enumerate(outbox, start=1):
            if message["to"] != to:
                continue
            if message.get("reference") == reference or (needle and needle in message["text"]):
                return ProviderRecord(
                    provider_id=str(index), status=DeliveryStatus.SENT, to=to, reference=reference
                )
        return None
