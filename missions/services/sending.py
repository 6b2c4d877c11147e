"""Sending the alerts of a call-up: claim, hand over, mark; the sweep; failure reports.

Delivery guarantee: AT MOST ONCE per alert.

The Alert rows are the outbox. A sender claims a chunk with a conditional update
(pending → sending, with a claim token of its own), opens ONE connection, and for each
alert of its claim:

1. writes `handed_over_at` (committed), only if the row is still its claim;
2. hands the message to the mail server (or SMS provider);
3. marks the row sent (in small batches: a confirmed row still "sending" is handed
   over, so it can never be sent twice), or failed (a 5xx refusal), or back to pending
   (a 4xx refusal: the server said it did not take it). When the answer never comes
   (timeout, dropped connection) the message may have left: it is marked sent with the
   note "delivery not confirmed", as below, and the rest of the chunk goes back.

If the worker dies, the beat sweep finds rows left "sending" longer than
ALERT_CLAIM_TIMEOUT_SECONDS. Rows never handed over were certainly not sent: they go
back to pending and another worker sends them. A row handed over but not confirmed
(the worker died between 1 and 3) may have reached the volunteer: it is NOT sent again;
it is marked sent with a note "delivery not confirmed" for the coordinator. (The
marks are committed asynchronously on PostgreSQL, see _asynchronous_commits: a dead
worker loses none; only a crash of the database server itself could.) We chose
at-most-once because a second alert in a crisis is the failure volunteers complain
about, while the one message really in doubt (the one in flight when a worker dies) is
visible to the coordinator, who can reach that volunteer directly.
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
from django.urls import reverse
from django.utils import timezone

from reserve import emails
from reserve.sms import SMSError, get_sms_backend

from ..models import Alert, FollowUp, Mobilization
from .launch import quiet_hours_end
from .messages import build_alert_email, build_alert_sms
from .outbox import enqueue_follow_up, enqueue_sending

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
    """Send the alerts of one claim over one connection; mark each sent or failed."""
    alerts = list(
        Alert.objects.filter(claim_token=claim_token, status=Alert.Status.SENDING)
        .select_related("mobilization", "mobilization__crisis", "volunteer", "volunteer__profile")
        .order_by("pk")
    )
    result = SendResult()
    alerts = _defer_quiet_hours(alerts, claim_token)
    if not alerts:
        return result
    emails = [a for a in alerts if a.channel == Alert.Channel.EMAIL]
    texts = [a for a in alerts if a.channel == Alert.Channel.SMS]
    with _asynchronous_commits():
        if emails:
            _send_email_chunk(emails, claim_token, result)
        if texts:
            _send_sms_chunk(texts, claim_token, result)
    return result


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


def _mark_sent(alert_ids, claim_token):
    if alert_ids:
        Alert.objects.filter(pk__in=alert_ids, claim_token=claim_token).update(
            status=Alert.Status.SENT, sent_at=timezone.now(), last_error=""
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


def _send_email_chunk(alerts, claim_token, result):
    """One connection for the chunk. Each message is handed over (committed) before it
    leaves; confirmations are written in small batches, since a confirmed message whose
    row is still "sending" is handed over and therefore never sent again."""
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
    confirmed = []
    try:
        for index, (alert, message) in enumerate(messages):
            if not _hand_over(alert, claim_token):
                continue
            try:
                connection.send_messages([message])
            except ValueError as exc:
                # Refused by Django before anything left (an address it cannot encode).
                _mark_failed(alert, claim_token, f"{type(exc).__name__}: {exc}")
                result.failed += 1
                continue
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                if _is_permanent_smtp_error(exc):
                    _mark_failed(alert, claim_token, error)
                    result.failed += 1
                    continue
                _mark_sent(confirmed, claim_token)
                confirmed = []
                rest = messages[index + 1 :]
                if _server_refused(exc):
                    # A 4xx answer: the server did not take it; it may go again later.
                    rest = messages[index:]
                else:
                    # No answer (timeout, dropped connection): the server may have taken
                    # it. At most once: not sent again, flagged for the coordinator.
                    _mark_unconfirmed(alert, claim_token)
                    result.sent += 1
                # The connection is unusable: give the rest back.
                _give_back([a for a, _m in rest], claim_token, error, result)
                return
            confirmed.append(alert.pk)
            result.sent += 1
            if len(confirmed) >= MARK_SENT_EVERY:
                _mark_sent(confirmed, claim_token)
                confirmed = []
    finally:
        _mark_sent(confirmed, claim_token)
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            logger.info("Mail connection closed uncleanly.", exc_info=True)


def _give_back(alerts, claim_token, error, result):
    released, failed, retry_in = _release(alerts, claim_token, error, timezone.now())
    result.released += released
    result.failed += failed
    result.retry_in = retry_in
    result.errors.append(error)


def _send_sms_chunk(alerts, claim_token, result):
    try:
        backend = get_sms_backend()
    except SMSError as exc:
        for alert in alerts:
            _mark_failed(alert, claim_token, str(exc))
            result.failed += 1
        return
    for index, alert in enumerate(alerts):
        phone = getattr(getattr(alert.volunteer, "profile", None), "phone", "")
        if not phone:
            _mark_failed(alert, claim_token, "No mobile number.")
            result.failed += 1
            continue
        if not _hand_over(alert, claim_token):
            continue
        try:
            backend.send(phone, build_alert_sms(alert))
        except SMSError as exc:
            if exc.uncertain:
                # It may have left: at most once, so flagged, not sent again.
                _mark_unconfirmed(alert, claim_token)
                result.sent += 1
                _give_back(alerts[index + 1 :], claim_token, str(exc), result)
                return
            if not exc.transient:
                _mark_failed(alert, claim_token, str(exc))
                result.failed += 1
                continue
            _give_back(alerts[index:], claim_token, str(exc), result)
            return
        _mark_sent([alert.pk], claim_token)
        result.sent += 1


def sweep_alerts(*, now=None):
    """What the beat sweep does every minute: recover dead claims, re-enqueue senders.

    Claims older than ALERT_CLAIM_TIMEOUT_SECONDS belong to a dead sender: rows never
    handed over go back to pending; rows handed over are marked sent with the note
    UNCONFIRMED_NOTE (at most once, see the module docstring). Then every launched
    call-up with due pending alerts gets a sender (the broker may have been down)."""
    now = now or timezone.now()
    stale = Alert.objects.filter(
        status=Alert.Status.SENDING,
        claimed_at__lt=now - datetime.timedelta(seconds=settings.ALERT_CLAIM_TIMEOUT_SECONDS),
    )
    unconfirmed = stale.filter(handed_over_at__isnull=False).update(
        status=Alert.Status.SENT, sent_at=F("handed_over_at"), last_error=UNCONFIRMED_NOTE
    )
    recovered = stale.filter(handed_over_at__isnull=True).update(
        status=Alert.Status.PENDING, claim_token="", claimed_at=None
    )
    due = (
        Alert.objects.filter(
            Q(not_before__isnull=True) | Q(not_before__lte=now),
            status=Alert.Status.PENDING,
            mobilization__status=Mobilization.Status.LAUNCHED,
        )
        .values_list("mobilization_id", flat=True)
        .distinct()
    )
    enqueued = [pk for pk in set(due) if enqueue_sending(pk, alerts=None)]
    # Follow-ups whose enqueueing failed (broker down) are still pending after a minute.
    stuck = FollowUp.objects.filter(
        status=FollowUp.Status.PENDING, created_at__lt=now - datetime.timedelta(minutes=1)
    ).values_list("pk", flat=True)
    for follow_up_id in stuck:
        enqueue_follow_up(follow_up_id)
    return {"recovered": recovered, "unconfirmed": unconfirmed, "enqueued": enqueued}


def report_failures(*, mobilization_id):
    """Once a call-up has nothing left to send, tell its launcher of the failed deliveries
    not reported yet (those of a later wave get a report of their own).

    Each failed alert is reported once: they are marked under the call-up's row lock, so
    two senders finishing together send one report."""
    # Pending alerts of a filled or closed call-up wait for a reopening that may never
    # come: they do not hold the report back.
    busy = Alert.objects.filter(mobilization_id=mobilization_id).filter(
        Q(status=Alert.Status.SENDING)
        | Q(status=Alert.Status.PENDING, mobilization__status=Mobilization.Status.LAUNCHED)
    )
    unreported = Alert.objects.filter(
        mobilization_id=mobilization_id,
        status=Alert.Status.FAILED,
        failure_reported_at__isnull=True,
    )
    if busy.exists() or not unreported.exists():
        return False
    now = timezone.now()
    with transaction.atomic():
        mobilization = (
            Mobilization.objects.select_for_update(of=("self",))
            .select_related("launched_by")
            .get(pk=mobilization_id)
        )
        coordinator = mobilization.launched_by
        failures = list(unreported.select_related("volunteer").order_by("pk"))
        if coordinator is None or not failures:
            return False
        Alert.objects.filter(pk__in=[a.pk for a in failures]).update(failure_reported_at=now)
        Mobilization.objects.filter(pk=mobilization_id).update(failures_reported_at=now)
        context = {
            "mobilization": mobilization,
            "failures": failures[:500],
            "count": len(failures),
            "progress_url": settings.SITE_URL
            + reverse("admin:missions_mobilization_progress", args=[mobilization.pk]),
        }
        transaction.on_commit(
            lambda: emails.send_quietly(
                "missions/email/failures",
                coordinator.email,
                context,
                language=coordinator.language,
            )
        )
    return True
