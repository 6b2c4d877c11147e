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

import datetime
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
from .messages import build_alert_email, build_alert_sms

logger = logging.getLogger(__name__)

UNCONFIRMED_NOTE = (
    "Delivery not confirmed: the sender stopped after handing the message over; "
    "not sent again, to avoid a duplicate."
)


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


def _backoff(attempts):
    return settings.ALERT_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))


def _release(alerts, claim_token, error, now):
    """Give claimed alerts back (pending after a backoff), or fail them once out of tries."""
    retry_in = None
    released = failed = 0
    for alert in alerts:
        rows = Alert.objects.filter(
            pk=alert.pk, claim_token=claim_token, status=Alert.Status.SENDING
        )
        if alert.attempts >= settings.ALERT_MAX_ATTEMPTS:
            failed += rows.update(status=Alert.Status.FAILED, last_error=error[:2000])
        else:
            delay = _backoff(alert.attempts)
            retry_in = delay if retry_in is None else min(retry_in, delay)
            released += rows.update(
                status=Alert.Status.PENDING,
                claim_token="",
                handed_over_at=None,
                not_before=now + datetime.timedelta(seconds=delay),
                last_error=error[:2000],
            )
    return released, failed, retry_in


def _is_permanent_smtp_error(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return all(code >= 500 for code in codes)
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


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
    _mark_sent(finished, claim_token)
    emails = [a for a in alerts if Alert.Channel.EMAIL in legs.get(a.pk, ())]
    texts = [a for a in alerts if Alert.Channel.SMS in legs.get(a.pk, ())]
    # Alerts of both channels are marked once their SMS leg is done, not before.
    sms_follows = {a.pk for a in texts if Alert.Channel.EMAIL in legs[a.pk]}
    with _asynchronous_commits():
        if emails:
            _send_email_chunk(emails, claim_token, result, sms_follows=sms_follows)
        if texts:
            texts = [a for a in texts if a.pk not in result.given_back]
            _send_sms_chunk(texts, claim_token, result, email_went=_email_went(texts))
    return result


def _channels_that_went(alerts):
    went = {}
    rows = Delivery.objects.filter(alert__in=[a.pk for a in alerts]).values_list(
        "alert_id", "channel"
    )
    for alert_id, channel in rows:
        went.setdefault(alert_id, set()).add(channel)
    return went


def _email_went(alerts):
    both = [a.pk for a in alerts if a.channel == Alert.Channel.BOTH]
    if not both:
        return set()
    return set(
        Delivery.objects.filter(alert__in=both, channel=Alert.Channel.EMAIL).values_list(
            "alert_id", flat=True
        )
    )


def _record_deliveries(deliveries):
    """Write the deliveries the providers accepted. A receipt may have come first and
    written the row (out of order): then only the provider's id and segments are added."""
    if deliveries:
        Delivery.objects.bulk_create(
            deliveries,
            update_conflicts=True,
            unique_fields=["alert", "channel"],
            update_fields=["provider_id", "segments"],
        )


def _delivery(alert, channel, *, provider_id="", segments=0, reason=""):
    return Delivery(
        alert_id=alert.pk,
        channel=channel,
        reference=Delivery.reference_for(alert.pk, channel),
        provider_id=provider_id or "",
        segments=segments,
        reason=reason,
    )


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


HAND_OVER_SQL = (
    f"UPDATE {Alert._meta.db_table} SET handed_over_at = %s "  # noqa: S608 - our table name
    "WHERE id = %s AND claim_token = %s AND status = %s"
)


def _hand_over(alert, claim_token):
    """Record that this alert is about to leave; False if the claim was lost.

    Plain SQL: it runs once per message, on the hot path of sending."""
    with connection.cursor() as cursor:
        cursor.execute(
            HAND_OVER_SQL, [timezone.now(), alert.pk, claim_token, Alert.Status.SENDING.value]
        )
        return cursor.rowcount == 1


def _mark_sent(alert_ids, claim_token, *, note=""):
    if alert_ids:
        Alert.objects.filter(pk__in=alert_ids, claim_token=claim_token).update(
            status=Alert.Status.SENT, sent_at=timezone.now(), last_error=note[:2000]
        )


def _mark_unconfirmed(alert, claim_token):
    Alert.objects.filter(pk=alert.pk, claim_token=claim_token).update(
        status=Alert.Status.SENT, sent_at=timezone.now(), last_error=UNCONFIRMED_NOTE
    )


def _server_refused(exc):
    """True when the mail server answered "no" (so the message certainly did not leave);
    False when the answer never came (timeout, dropped connection)."""
    return isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)


def _mark_failed(alert, claim_token, error):
    Alert.objects.filter(pk=alert.pk, claim_token=claim_token).update(
        status=Alert.Status.FAILED, last_error=error[:2000]
    )


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
            _mark_failed(alert, claim_token, "The volunteer's account was deleted.")
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
        _give_back([a for a, _m in messages], claim_token, error, result)
        return
    confirmed, deliveries = [], []

    def flush():
        _record_deliveries(deliveries)
        _mark_sent(confirmed, claim_token)
        confirmed.clear()
        deliveries.clear()

    try:
        for index, (alert, message) in enumerate(messages):
            if not _hand_over(alert, claim_token):
                continue
            try:
                connection.send_messages([message])
            except ValueError as exc:
                # Refused by Django before anything left (an address it cannot encode).
                _fail_leg(alert, claim_token, f"{type(exc).__name__}: {exc}", result, sms_follows)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                if _is_permanent_smtp_error(exc):
                    _fail_leg(alert, claim_token, error, result, sms_follows)
                    continue
                flush()
                rest = messages[index + 1 :]
                if _server_refused(exc):
                    # A 4xx answer: the server did not take it; it may go again later.
                    rest = messages[index:]
                else:
                    # No answer (timeout, dropped connection): the server may have taken
                    # it. At most once: not sent again, flagged for the coordinator.
                    _record_deliveries([_delivery(alert, "email", reason=UNCONFIRMED_NOTE)])
                    if alert.pk not in sms_follows:
                        _mark_unconfirmed(alert, claim_token)
                        result.sent += 1
                # The connection is unusable: give the rest back.
                _give_back([a for a, _m in rest], claim_token, error, result)
                return
            deliveries.append(_delivery(alert, "email", provider_id=_provider_id(message)))
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
    _mark_failed(alert, claim_token, error)
    result.failed += 1


def _provider_id(message):
    """The id the mail provider gave (anymail), else the Message-ID we set."""
    status = getattr(message, "anymail_status", None)
    return (getattr(status, "message_id", None) or message.message_id or "")[:200]


def _give_back(alerts, claim_token, error, result):
    result.given_back.update(a.pk for a in alerts)
    released, failed, retry_in = _release(alerts, claim_token, error, timezone.now())
    result.released += released
    result.failed += failed
    result.retry_in = retry_in
    result.errors.append(error)


def _send_sms_chunk(alerts, claim_token, result, *, email_went=frozenset()):
    """Each text is handed over, sent, then marked. `email_went`: alerts of both channels
    whose e-mail left, which an SMS refused for good does not fail."""
    try:
        backend = get_sms_backend()
    except SMSError as exc:
        for alert in alerts:
            _fail_text(alert, claim_token, str(exc), result, email_went)
        return
    for index, alert in enumerate(alerts):
        phone = getattr(getattr(alert.volunteer, "profile", None), "phone", "")
        if not phone:
            _fail_text(alert, claim_token, "No mobile number.", result, email_went)
            continue
        if not _hand_over(alert, claim_token):
            continue
        reference = Delivery.reference_for(alert.pk, "sms")
        text = build_alert_sms(alert)
        try:
            sent = backend.send(phone, text, reference=reference)
        except SMSError as exc:
            if exc.uncertain:
                # It may have left: at most once, so flagged, not sent again.
                _record_deliveries([_delivery(alert, "sms", reason=UNCONFIRMED_NOTE)])
                _mark_unconfirmed(alert, claim_token)
                result.sent += 1
                _give_back(alerts[index + 1 :], claim_token, str(exc), result)
                return
            if not exc.transient:
                _fail_text(alert, claim_token, str(exc), result, email_went)
                continue
            _give_back(alerts[index:], claim_token, str(exc), result)
            return
        _record_deliveries(
            [
                _delivery(
                    alert,
                    "sms",
                    provider_id=getattr(sent, "provider_id", None) or "",
                    segments=getattr(sent, "segments", 0) or sms_segments(text),
                )
            ]
        )
        _mark_sent([alert.pk], claim_token)
        result.sent += 1


def _fail_text(alert, claim_token, error, result, email_went):
    if alert.pk in email_went:
        # Its e-mail left: the alert reached the volunteer; the SMS error is noted.
        _mark_sent([alert.pk], claim_token, note=f"SMS: {error}")
        result.sent += 1
        return
    earlier = result.leg_errors.get(alert.pk)
    _mark_failed(alert, claim_token, f"E-mail: {earlier} / SMS: {error}" if earlier else error)
    result.failed += 1
