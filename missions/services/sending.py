"""Sending the alerts of a call-up: claim, hand over, mark, on each of their channels.

Delivery guarantee: AT MOST ONCE per alert and channel.

The Alert rows are the outbox. A sender claims a chunk with a conditional update
(pending → sending, with a claim token of its own), opens ONE connection per channel,
and for each alert of its claim and each of its channels that has no delivery yet:

1. writes `handed_over_at` (committed), only if the row is still its claim;
2. hands the message to the mail server or SMS provider, with our reference
   ("a<alert id>-<channel>") that comes back with the provider's receipts;
3. records the Delivery (the provider's id, the SMS segments) and marks the row sent
   (e-mails in small batches: a confirmed row still "sending" is handed over, so it can
   never be sent twice), or failed (a 5xx refusal), or back to pending (a 4xx refusal:
   the server said it did not take it). When the answer never comes (timeout, dropped
   connection) the message may have left: it is marked sent with the note "delivery not
   confirmed", and the rest of the chunk goes back.

An alert of both channels (red level) is marked once its SMS leg is done; an e-mail
refused for good does not fail it if its SMS leaves. A retry or a fallback never repeats
a channel that has a delivery, and an alert answered meanwhile gets nothing more.

If the worker dies, the beat sweep (`recovery.py`) finds rows left "sending" longer than
ALERT_CLAIM_TIMEOUT_SECONDS. Rows never handed over were certainly not sent: they go
back to pending. Of the rows handed over, only the claim's last may not have left: the
SMS provider's records settle it (sent again only if the provider never took it); with
plain SMTP it is marked "delivery not confirmed" for the coordinator — at most one per
dead sender. (The marks are committed asynchronously on PostgreSQL, see
_asynchronous_commits: a dead worker loses none; only a crash of the database server
itself could.) We chose at-most-once because a second alert in a crisis is the failure
volunteers complain about, while the one message really in doubt is visible to the
coordinator, who can reach that volunteer directly.
"""

import logging
import smtplib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from reserve.sms import SMSError, get_sms_backend
from reserve.sms.segments import segments as sms_segments

from ..models import Alert, Delivery, Mobilization
from .failures import report_failures
from .launch import quiet_hours_end
from .marks import (
    UNCONFIRMED_NOTE,
    certainly_not_sent,
    delivery_row,
    give_back,
    hand_over,
    is_permanent_refusal,
    mark_failed,
    mark_sent,
    mark_unconfirmed,
    record_deliveries,
)
from .messages import build_alert_email, build_alert_sms

logger = logging.getLogger(__name__)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    released: int = 0
    retry_in: float | None = None
    errors: list = field(default_factory=list)
    # Alerts given back (pending again) and e-mail legs refused of alerts that go by SMS too.
    given_back: set = field(default_factory=set)
    leg_errors: dict = field(default_factory=dict)
    # Alerts whose e-mail this claim handed to the server (their SMS leg may follow).
    emails_left: set = field(default_factory=set)


def claim_alerts(*, mobilization_id=None, limit=None, now=None):
    """Claim up to `limit` due pending alerts for this sender: pending → sending.

    Returns the claim token. PostgreSQL's SKIP LOCKED lets parallel senders take
    different rows; the conditional UPDATE makes a row claimed by one sender only."""
    now = now or timezone.now()
    limit = limit or settings.ALERT_CHUNK_SIZE
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = Alert.objects.filter(
            Q(not_before__isnull=True) | Q(not_before__lte=now),
            status=Alert.Status.PENDING,
            mobilization__status=Mobilization.Status.LAUNCHED,
        )
        if mobilization_id is not None:
            due = due.filter(mobilization_id=mobilization_id)
        ids = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        claimed = Alert.objects.filter(pk__in=ids, status=Alert.Status.PENDING).update(
            status=Alert.Status.SENDING,
            claimed_at=now,
            claim_token=token,
            handed_over_at=None,
            attempts=F("attempts") + 1,
        )
    return token if claimed else None


def send_pending_alerts(*, mobilization_id=None, max_chunks=None):
    """Claim and send chunks until none is due; what one sending task does.

    Safe to run twice or in parallel (see the module docstring)."""
    total = SendResult()
    chunks = 0
    while max_chunks is None or chunks < max_chunks:
        token = claim_alerts(mobilization_id=mobilization_id)
        if token is None:
            break
        chunks += 1
        result = send_claimed_alerts(claim_token=token)
        total.sent += result.sent
        total.failed += result.failed
        total.released += result.released
        total.errors += result.errors
        if result.retry_in is not None:
            total.retry_in = result.retry_in
            break
    if mobilization_id is not None:
        report_failures(mobilization_id=mobilization_id)
    return total


def send_claimed_alerts(*, claim_token):
    """Send the alerts of one claim over one connection per channel; mark each sent or
    failed. An alert goes out on each of its channels (both at the red level) that has
    no delivery yet: a retry or a fallback never repeats a channel that went. An alert
    answered meanwhile (on another channel, or from its link) gets nothing more."""
    alerts = list(
        Alert.objects.filter(claim_token=claim_token, status=Alert.Status.SENDING)
        .select_related("mobilization", "mobilization__crisis", "volunteer", "volunteer__profile")
        .order_by("pk")
    )
    result = SendResult()
    alerts = _defer_quiet_hours(alerts, claim_token)
    if not alerts:
        return result
    went = _channels_that_went(alerts)
    legs, finished = {}, []
    for alert in alerts:
        left = [c for c in alert.channels if c not in went.get(alert.pk, ())]
        if left and alert.response == Alert.Response.NONE:
            legs[alert.pk] = left
        else:
            finished.append(alert.pk)
    mark_sent(finished, claim_token)
    emails = [a for a in alerts if Alert.Channel.EMAIL in legs.get(a.pk, ())]
    texts = [a for a in alerts if Alert.Channel.SMS in legs.get(a.pk, ())]
    # Alerts of both channels are marked once their SMS leg is done, not before.
    sms_follows = {a.pk for a in texts if Alert.Channel.EMAIL in legs[a.pk]}
    with _asynchronous_commits():
        if emails:
            _send_email_chunk(emails, claim_token, result, sms_follows=sms_follows)
        if texts:
            texts = [a for a in texts if a.pk not in result.given_back]
            email_went = result.emails_left | {
                a.pk for a in texts if Alert.Channel.EMAIL in went.get(a.pk, ())
            }
            _send_sms_chunk(texts, claim_token, result, email_went=email_went)
    return result


def _channels_that_went(alerts):
    went = {}
    rows = Delivery.objects.filter(alert__in=[a.pk for a in alerts]).values_list(
        "alert_id", "channel"
    )
    for alert_id, channel in rows:
        went.setdefault(alert_id, set()).add(channel)
    return went


def _defer_quiet_hours(alerts, claim_token, now=None):
    """Quiet hours are checked again when sending: a retry or a backlog (broker down) may
    come due at night. Those alerts go back to pending until the quiet hours end, without
    counting an attempt. At the red level they are waived, as at launch."""
    now = now or timezone.now()
    due = []
    deferred = {}  # end of the quiet hours → alert ids: one UPDATE per distinct end
    for alert in alerts:
        profile = getattr(alert.volunteer, "profile", None)
        end = None
        if profile is not None and not alert.mobilization.crisis.is_urgent:
            end = quiet_hours_end(
                now, profile.quiet_hours_start, profile.quiet_hours_end, profile.departement
            )
        if end is None:
            due.append(alert)
        else:
            deferred.setdefault(end, []).append(alert.pk)
    for end, ids in deferred.items():
        Alert.objects.filter(
            pk__in=ids, claim_token=claim_token, status=Alert.Status.SENDING
        ).update(
            status=Alert.Status.PENDING,
            claim_token="",
            not_before=end,
            attempts=F("attempts") - 1,
        )
    return due


@contextmanager
def _asynchronous_commits():
    """The per-message marks commit without waiting for the WAL flush (PostgreSQL's
    synchronous_commit=off): each mark is visible to every other session at once, so a
    dead worker loses nothing; only a crash of PostgreSQL itself could lose the last
    fraction of a second of marks. That saves one disk flush per message (~3 ms here)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


MARK_SENT_EVERY = 20


def _send_email_chunk(alerts, claim_token, result, *, sms_follows=frozenset()):
    """One connection for the chunk. Each message is handed over (committed) before it
    leaves; confirmations are written in small batches, since a confirmed message whose
    row is still "sending" is handed over and therefore never sent again. Alerts in
    `sms_follows` also go by SMS next: they are marked by the SMS leg, and an e-mail
    refused for good does not fail them."""
    messages = []
    rendered = {}
    for alert in alerts:
        if alert.volunteer is None:
            mark_failed(alert, claim_token, "The volunteer's account was deleted.")
            result.failed += 1
            continue
        messages.append((alert, build_alert_email(alert, rendered=rendered)))
    if not messages:
        return
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        error = f"Mail server unreachable: {exc!r}"
        give_back([a for a, _m in messages], claim_token, error, result)
        return
    confirmed, deliveries = [], []

    def flush():
        record_deliveries(deliveries)
        mark_sent(confirmed, claim_token)
        confirmed.clear()
        deliveries.clear()

    try:
        for index, (alert, message) in enumerate(messages):
            if not hand_over(alert, claim_token):
                continue
            try:
                connection.send_messages([message])
            except ValueError as exc:
                # Refused by Django before anything left (an address it cannot encode).
                _fail_leg(alert, claim_token, f"{type(exc).__name__}: {exc}", result, sms_follows)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                if is_permanent_refusal(exc):
                    _fail_leg(alert, claim_token, error, result, sms_follows)
                    continue
                flush()
                rest = messages[index + 1 :]
                if certainly_not_sent(exc):
                    # A 4xx answer: the server did not take it; it may go again later.
                    rest = messages[index:]
                else:
                    # No answer (timeout, dropped connection): the server may have taken
                    # it. At most once: not sent again, flagged for the coordinator.
                    record_deliveries([delivery_row(alert, "email", reason=UNCONFIRMED_NOTE)])
                    result.emails_left.add(alert.pk)
                    if alert.pk not in sms_follows:
                        mark_unconfirmed(alert, claim_token)
                        result.sent += 1
                # The connection is unusable: give the rest back.
                give_back([a for a, _m in rest], claim_token, error, result)
                return
            deliveries.append(delivery_row(alert, "email", provider_id=_provider_id(message)))
            result.emails_left.add(alert.pk)
            if alert.pk not in sms_follows:
                confirmed.append(alert.pk)
                result.sent += 1
            if len(deliveries) >= MARK_SENT_EVERY:
                flush()
    finally:
        flush()
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            logger.info("Mail connection closed uncleanly.", exc_info=True)


def _fail_leg(alert, claim_token, error, result, sms_follows):
    """An e-mail refused for good: the alert fails, unless its SMS leg is still to go."""
    if alert.pk in sms_follows:
        result.leg_errors[alert.pk] = error
        return
    mark_failed(alert, claim_token, error)
    result.failed += 1


def _provider_id(message):
    """The id the mail provider gave (anymail), else the Message-ID we set."""
    status = getattr(message, "anymail_status", None)
    return (getattr(status, "message_id", None) or message.message_id or "")[:200]


def _send_sms_chunk(alerts, claim_token, result, *, email_went=frozenset()):
    """Each text is handed over, sent, then marked — the marks in small batches, as for
    e-mail (a row handed over before its claim's last one certainly left: recovery.py).
    `email_went`: alerts of both channels whose e-mail left, which an SMS refused for
    good does not fail."""
    try:
        backend = get_sms_backend()
    except SMSError as exc:
        for alert in alerts:
            _fail_text(alert, claim_token, str(exc), result, email_went)
        return
    confirmed, deliveries = [], []

    def flush():
        record_deliveries(deliveries)
        mark_sent(confirmed, claim_token)
        confirmed.clear()
        deliveries.clear()

    try:
        for index, alert in enumerate(alerts):
            phone = getattr(getattr(alert.volunteer, "profile", None), "phone", "")
            if not phone:
                _fail_text(alert, claim_token, "No mobile number.", result, email_went)
                continue
            if not hand_over(alert, claim_token):
                continue
            text = build_alert_sms(alert)
            try:
                sent = backend.send(phone, text, reference=Delivery.reference_for(alert.pk, "sms"))
            except SMSError as exc:
                if not exc.transient:
                    _fail_text(alert, claim_token, str(exc), result, email_went)
                    continue
                flush()
                if exc.uncertain:
                    _in_doubt(alert, claim_token, backend, result)
                    rest = alerts[index + 1 :]
                else:
                    rest = alerts[index:]
                give_back(rest, claim_token, str(exc), result)
                return
            deliveries.append(
                delivery_row(
                    alert,
                    "sms",
                    provider_id=getattr(sent, "provider_id", None) or "",
                    segments=getattr(sent, "segments", 0) or sms_segments(text),
                )
            )
            confirmed.append(alert.pk)
            result.sent += 1
            if len(confirmed) >= MARK_SENT_EVERY:
                flush()
    finally:
        flush()


def _in_doubt(alert, claim_token, backend, result):
    """A text whose answer never came may have left. A provider that keeps records is
    asked by the sweep once the claim is stale (recovery.py): the row stays handed over,
    the last of its claim. Without records, at most once: flagged, not sent again."""
    if getattr(backend, "can_lookup", False):
        return
    record_deliveries([delivery_row(alert, "sms", reason=UNCONFIRMED_NOTE)])
    mark_unconfirmed(alert, claim_token)
    result.sent += 1


def _fail_text(alert, claim_token, error, result, email_went):
    if alert.pk in email_went:
        # Its e-mail left: the alert reached the volunteer; the SMS error is noted.
        mark_sent([alert.pk], claim_token, note=f"SMS: {error}")
        result.sent += 1
        return
    earlier = result.leg_errors.get(alert.pk)
    mark_failed(alert, claim_token, f"E-mail: {earlier} / SMS: {error}" if earlier else error)
    result.failed += 1
