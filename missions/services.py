"""Writes of the call-up pipeline: launch, waves, sending, answers, close and follow-ups.

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
import functools
import logging
import math
import re
import smtplib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from reserve.sms import SMSError, get_sms_backend
from volunteers.models import Availability
from volunteers.territories import time_zone_for_departement

from .models import Alert, FollowUp, Mobilization
from .selectors import targeted_profiles

logger = logging.getLogger(__name__)

UNCONFIRMED_NOTE = (
    "Delivery not confirmed: the sender stopped after handing the message over; "
    "not sent again, to avoid a duplicate."
)


class MobilizationNotDraft(Exception):
    """Launching a call-up that is not a draft (another coordinator was faster)."""


@dataclass
class LaunchResult:
    alerts: int
    queued: bool | None = None  # set on commit: False when the broker was unreachable


# --- Launch and waves ---------------------------------------------------------------
def launch_mobilization(mobilization, *, by, now=None):
    """Launch a draft call-up: one transaction marks it launched and writes the Alert
    rows of wave 1; sending is enqueued on commit.

    Two coordinators launching at once give one launch: the status moves with a
    conditional UPDATE (draft → launched), and the loser gets MobilizationNotDraft
    with nothing written. If the broker is down at commit, the launch stays committed
    (`result.queued` is False) and the beat sweep enqueues sending once it is back.
    """
    now = now or timezone.now()
    result = LaunchResult(alerts=0)
    with transaction.atomic():
        launched = Mobilization.objects.filter(
            pk=mobilization.pk, status=Mobilization.Status.DRAFT
        ).update(
            status=Mobilization.Status.LAUNCHED,
            launched_at=now,
            launched_by=by,
            current_wave=1,
            wave_started_at=now,
        )
        if not launched:
            raise MobilizationNotDraft(mobilization.pk)
        mobilization.refresh_from_db()
        result.alerts = _create_wave_alerts(mobilization, wave=1, now=now)

        def enqueue():
            result.queued = enqueue_sending(mobilization.pk, alerts=result.alerts)

        transaction.on_commit(enqueue)
    return result


def advance_waves(*, now=None):
    """Send the next wave of every launched call-up whose wave deadline passed unfilled.

    Safe to run twice and from several processes: each wave moves with a conditional
    UPDATE on `current_wave`, and alerts are unique per volunteer and call-up."""
    now = now or timezone.now()
    advanced = []
    candidates = Mobilization.objects.filter(
        status=Mobilization.Status.LAUNCHED,
        current_wave__lt=F("max_waves"),
        response_deadline__gt=now,
        wave_started_at__isnull=False,
    ).select_related("crisis")
    for mobilization in candidates:
        if mobilization.next_wave_at > now:
            continue
        with transaction.atomic():
            moved = Mobilization.objects.filter(
                pk=mobilization.pk,
                status=Mobilization.Status.LAUNCHED,
                current_wave=mobilization.current_wave,
            ).update(current_wave=F("current_wave") + 1, wave_started_at=now)
            if not moved:
                continue
            mobilization.refresh_from_db()
            count = _create_wave_alerts(mobilization, wave=mobilization.current_wave, now=now)
            transaction.on_commit(lambda pk=mobilization.pk, n=count: enqueue_sending(pk, alerts=n))
            advanced.append((mobilization.pk, mobilization.current_wave, count))
    return advanced


def quiet_hours_end(now, start, end, departement=""):
    """When the quiet hours containing `now` end (aware datetime), or None if not in them.

    Read in the volunteer's local time: 22 h in Réunion is 19 h in Paris."""
    if start == end:
        return None
    local = timezone.localtime(now, ZoneInfo(time_zone_for_departement(departement)))
    t = local.time()
    if start < end:
        inside = start <= t < end
        day = local.date()
    else:  # overnight, e.g. 22:00–07:00
        inside = t >= start or t < end
        day = local.date() if t < end else local.date() + datetime.timedelta(days=1)
    if not inside:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, end), local.tzinfo)


# Alerts of different call-ups are written one launch (or wave) at a time, so that the
# frequency cap and the "already committed" rules read what the other one just wrote.
ALERT_CREATION_LOCK = 7_201_911  # any number of our own for pg_advisory_xact_lock


def _create_wave_alerts(mobilization, *, wave, now):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ALERT_CREATION_LOCK])
    rows = targeted_profiles(mobilization, wave=wave, now=now).values_list(
        "user_id", "alert_by_email", "phone", "quiet_hours_start", "quiet_hours_end", "departement"
    )
    urgent = mobilization.crisis.is_urgent
    alerts = []
    for user_id, by_email, phone, quiet_start, quiet_end, departement in rows.iterator(
        chunk_size=2000
    ):
        alerts.append(
            Alert(
                mobilization=mobilization,
                volunteer_id=user_id,
                wave=wave,
                # E-mail when chosen (it carries the whole call-up), else SMS.
                channel=Alert.Channel.EMAIL if by_email or not phone else Alert.Channel.SMS,
                not_before=None
                if urgent
                else quiet_hours_end(now, quiet_start, quiet_end, departement),
            )
        )
    Alert.objects.bulk_create(alerts, batch_size=2000, ignore_conflicts=True)
    return len(alerts)


def enqueue_sending(mobilization_id, *, alerts=None):
    """Enqueue the senders of a call-up; False if the broker is unreachable.

    Never raises: the rows are the outbox and the beat sweep enqueues again."""
    from . import tasks

    chunk = max(settings.ALERT_CHUNK_SIZE, 1)
    senders = settings.ALERT_PARALLEL_SENDERS
    if alerts is not None:
        senders = max(1, min(senders, math.ceil(alerts / chunk)))
    try:
        for _i in range(senders):
            tasks.send_alerts.delay(mobilization_id)
    except Exception:  # kombu/redis raise many kinds; the sweep will try again.
        logger.warning(
            "Broker unreachable: sending of call-up %s left to the sweep.", mobilization_id
        )
        return False
    return True


# --- Sending ------------------------------------------------------------------------
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
        with translation.override(coordinator.language):
            context = {
                "mobilization": mobilization,
                "failures": failures[:500],
                "count": len(failures),
                "progress_url": settings.SITE_URL
                + reverse("admin:missions_mobilization_progress", args=[mobilization.pk]),
            }
            subject = _("Call-up “%(title)s”: %(count)s deliveries failed") % {
                "title": mobilization.title,
                "count": context["count"],
            }
            body = render_to_string("missions/email/failures.txt", context)
        transaction.on_commit(lambda: _send_quietly(subject, body, coordinator.email))
    return True


def _send_quietly(subject, body, to):
    try:
        EmailMultiAlternatives(subject, body, to=[to]).send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send “%s” to %s.", subject, to)


# --- Messages -----------------------------------------------------------------------
_TOKEN_SLOT = "token-slot"  # noqa: S105 - a placeholder, not a secret


@functools.cache
def _link_template(name, script_prefix):
    """The path of a token link with a slot for the token: reverse() once per process
    (and prefix), not twice per message (0.15 ms of a sender's time per e-mail)."""
    return reverse(name, args=[_TOKEN_SLOT])


def _token_link(name, token):
    return settings.SITE_URL + _link_template(name, get_script_prefix()).replace(_TOKEN_SLOT, token)


def respond_url(alert):
    return _token_link("missions:respond", alert.token)


def opt_out_url(alert):
    return _token_link("missions:opt_out", alert.token)


RESPOND_MARK, OPT_OUT_MARK = "@@respond-url@@", "@@opt-out-url@@"
TO_MARK = "alert-recipient@reserve.invalid"
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>\r\n]+>)\r$", re.MULTILINE)


class SerializedMessage:
    """What `AlertEmail.message()` returns: the MIME message, already serialized."""

    def __init__(self, data):
        self.data = data

    def as_bytes(self, unixfrom=False, linesep="\n"):
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, linesep="\n"):
        return self.as_bytes(linesep=linesep).decode()

    def get_charset(self):
        return None


class AlertEmail(EmailMultiAlternatives):
    """A call-up e-mail whose MIME form was built once for its call-up and language and
    personalised by substitution: building MIME is most of the CPU of a send, and
    10,000 alerts differ only by their recipient and two links. Any Django e-mail
    backend sends it like any EmailMultiAlternatives."""

    serialized = None

    def message(self):
        if self.serialized is None:
            return super().message()
        return SerializedMessage(self.serialized)


def _alert_template(alert, language):
    """Subject, bodies and serialized MIME of the call-up e-mail, with placeholders."""
    with translation.override(language):
        context = {
            "mobilization": alert.mobilization,
            "crisis": alert.mobilization.crisis,
            "respond_url": RESPOND_MARK,
            "opt_out_url": OPT_OUT_MARK,
            "site_url": settings.SITE_URL,
        }
        subject = _("Call-up: %(title)s") % {"title": alert.mobilization.title}
        text = render_to_string("missions/email/callup.txt", context)
        html = render_to_string("missions/email/callup.html", context)
    model = _alert_message(subject, text, html, TO_MARK, OPT_OUT_MARK)
    serialized = model.message().as_bytes(linesep="\r\n")
    marks = (RESPOND_MARK.encode(), OPT_OUT_MARK.encode(), TO_MARK.encode())
    found = MESSAGE_ID.search(serialized)
    if found is None or not all(mark in serialized for mark in marks):
        serialized = None  # encoded in a way substitution cannot follow: build each one
    return subject, text, html, serialized, found.group(1) if found else None


def _alert_message(subject, text, html, to, opt_out):
    message = AlertEmail(
        subject,
        text,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{opt_out}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build_alert_email(alert, *, rendered=None):
    """The call-up e-mail, in the volunteer's language: plain text and HTML, with a
    one-click List-Unsubscribe (RFC 8058) that stops crisis call-ups.

    `rendered` (a dict) caches the rendered templates and MIME form per call-up and
    language within a chunk; only the recipient and the two links differ."""
    volunteer = alert.volunteer
    language = volunteer.language or settings.LANGUAGE_CODE
    key = (alert.mobilization_id, language)
    rendered = {} if rendered is None else rendered
    if key not in rendered:
        rendered[key] = _alert_template(alert, language)
    subject, text, html, serialized, message_id = rendered[key]
    links = {RESPOND_MARK: respond_url(alert), OPT_OUT_MARK: opt_out_url(alert)}
    for mark, url in links.items():
        text = text.replace(mark, url)
        html = html.replace(mark, escape(url))
    message = _alert_message(subject, text, html, volunteer.email, links[OPT_OUT_MARK])
    if serialized is not None and volunteer.email.isascii():
        message.serialized = (
            serialized.replace(RESPOND_MARK.encode(), links[RESPOND_MARK].encode())
            .replace(OPT_OUT_MARK.encode(), links[OPT_OUT_MARK].encode())
            .replace(TO_MARK.encode(), volunteer.email.encode())
            .replace(message_id, make_msgid(domain=DNS_NAME).encode())
        )
    return message


def build_alert_sms(alert):
    volunteer = alert.volunteer
    with translation.override(volunteer.language or settings.LANGUAGE_CODE):
        return _("Réserve call-up: %(title)s. Answer: %(url)s") % {
            "title": alert.mobilization.title[:60],
            "url": respond_url(alert),
        }


# --- Answers ------------------------------------------------------------------------
class Outcome:
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WAITLISTED = "waitlisted"


def record_response(alert, *, accept, now=None):
    """Record a volunteer's answer; the last answer wins. Returns an Outcome value.

    One transaction with the call-up row locked, so that the headcount is never
    exceeded: acceptances beyond it, or once the call-up is filled or closed, go on the
    wait list. Accepting writes an unavailability period for the call-up's dates;
    declining removes it (and a place freed in a filled call-up goes to the first on
    the wait list). Reaching the headcount marks the call-up filled and, on commit,
    thanks those who have not answered."""
    now = now or timezone.now()
    with transaction.atomic():
        mobilization = Mobilization.objects.select_for_update().get(pk=alert.mobilization_id)
        alert = (
            Alert.objects.select_for_update(of=("self",))
            .select_related("volunteer")
            .get(pk=alert.pk)
        )
        accepted = Alert.objects.filter(
            mobilization=mobilization, response=Alert.Response.ACCEPTED
        ).exclude(pk=alert.pk)
        if accept:
            if alert.response == Alert.Response.ACCEPTED:
                return Outcome.ACCEPTED
            if (
                mobilization.status != Mobilization.Status.LAUNCHED
                or accepted.count() >= mobilization.headcount
            ):
                _set_response(alert, Alert.Response.WAITLISTED, now)
                return Outcome.WAITLISTED
            _accept(alert, mobilization, now)
            if accepted.count() + 1 >= mobilization.headcount:
                _mark_filled(mobilization, now)
            return Outcome.ACCEPTED
        was_accepted = alert.response == Alert.Response.ACCEPTED
        _set_response(alert, Alert.Response.DECLINED, now)
        if was_accepted:
            _remove_unavailability(alert)
            if mobilization.status == Mobilization.Status.FILLED:
                _give_place_to_wait_list(mobilization, now)
        return Outcome.DECLINED


def _set_response(alert, response, now):
    alert.response = response
    alert.responded_at = now
    alert.save(update_fields=["response", "responded_at"])


def _accept(alert, mobilization, now):
    _set_response(alert, Alert.Response.ACCEPTED, now)
    profile = getattr(alert.volunteer, "profile", None)
    if profile is None:
        return
    Availability.objects.update_or_create(
        profile=profile,
        source=alert.availability_source,
        defaults={
            "kind": Availability.Kind.UNAVAILABLE,
            "starts_on": timezone.localtime(mobilization.starts_at).date(),
            "ends_on": timezone.localtime(mobilization.ends_at).date(),
            "note": mobilization.title[:200],
        },
    )


def _remove_unavailability(alert):
    Availability.objects.filter(source=alert.availability_source).delete()


def _mark_filled(mobilization, now):
    Mobilization.objects.filter(pk=mobilization.pk).update(
        status=Mobilization.Status.FILLED, filled_at=now
    )
    mobilization.status = Mobilization.Status.FILLED
    follow_up = FollowUp.objects.create(
        mobilization=mobilization,
        audience=FollowUp.Audience.NO_ANSWER,
        subject="",
        body="",
    )
    transaction.on_commit(lambda: enqueue_follow_up(follow_up.pk))
    # Its pending alerts will not leave now: the launcher hears of the failed ones.
    transaction.on_commit(lambda: report_failures(mobilization_id=mobilization.pk))


def _give_place_to_wait_list(mobilization, now):
    first = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .filter(mobilization=mobilization, response=Alert.Response.WAITLISTED)
        .order_by("responded_at", "pk")
        .first()
    )
    if first is not None:
        _accept(first, mobilization, now)
        transaction.on_commit(lambda: _tell_promoted(first.pk))
        return
    Mobilization.objects.filter(pk=mobilization.pk).update(
        status=Mobilization.Status.LAUNCHED, filled_at=None
    )


def _tell_promoted(alert_id):
    """The first on the wait list took a freed place: they must know they are expected
    (and can still decline from the same link)."""
    alert = Alert.objects.select_related("volunteer", "mobilization").get(pk=alert_id)
    volunteer = alert.volunteer
    if volunteer is None:
        return
    with translation.override(volunteer.language or settings.LANGUAGE_CODE):
        values = {"title": alert.mobilization.title, "url": respond_url(alert)}
        subject = _("You are on the team: %(title)s") % values
        body = (
            _(
                "A place freed up on the call-up “%(title)s”: you were first on the wait "
                "list, so you are on the team.\n\nDetails, and to decline if you can no "
                "longer come: %(url)s"
            )
            % values
        )
    _send_quietly(subject, body, volunteer.email)


def opt_out(alert):
    """Stop crisis call-ups for the volunteer of this alert (the List-Unsubscribe link)."""
    profile = getattr(alert.volunteer, "profile", None)
    if profile is not None and profile.crisis_opt_in:
        profile.crisis_opt_in = False
        profile.save(update_fields=["crisis_opt_in", "updated_at"])
    return profile


# --- Coordinator actions ------------------------------------------------------------
def close_mobilization(mobilization, *, by):
    """Close a launched or filled call-up: nothing more is sent, acceptances go to the
    wait list. Idempotent."""
    closed = Mobilization.objects.filter(
        pk=mobilization.pk,
        status__in=[Mobilization.Status.LAUNCHED, Mobilization.Status.FILLED],
    ).update(status=Mobilization.Status.CLOSED, closed_at=timezone.now())
    mobilization.refresh_from_db()
    if closed:
        report_failures(mobilization_id=mobilization.pk)
    return bool(closed)


def extend_mobilization(mobilization, *, by, response_deadline, headcount):
    """Push the deadline back and/or raise the headcount; a filled or closed call-up
    with places left is open again. One transaction."""
    with transaction.atomic():
        mobilization = Mobilization.objects.select_for_update().get(pk=mobilization.pk)
        mobilization.response_deadline = response_deadline
        mobilization.headcount = headcount
        accepted = mobilization.alerts.filter(response=Alert.Response.ACCEPTED).count()
        if mobilization.status != Mobilization.Status.DRAFT and accepted < headcount:
            mobilization.status = Mobilization.Status.LAUNCHED
            mobilization.filled_at = None
            mobilization.closed_at = None
        mobilization.save(
            update_fields=["response_deadline", "headcount", "status", "filled_at", "closed_at"]
        )
    return mobilization


def send_follow_up(*, mobilization, by, subject, body):
    """Write a follow-up message to those who accepted; it is sent after commit."""
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            mobilization=mobilization,
            audience=FollowUp.Audience.ACCEPTED,
            subject=subject,
            body=body,
            created_by=by,
        )
        transaction.on_commit(lambda: enqueue_follow_up(follow_up.pk))
    return follow_up


def enqueue_follow_up(follow_up_id):
    from . import tasks

    try:
        tasks.deliver_follow_up.delay(follow_up_id)
    except Exception:
        logger.warning("Broker unreachable: follow-up %s left to the sweep.", follow_up_id)
        return False
    return True


def deliver_follow_up(*, follow_up_id):
    """Send a follow-up over one connection. At most once: the row moves
    pending → sending with a conditional UPDATE before anything is sent."""
    if not FollowUp.objects.filter(pk=follow_up_id, status=FollowUp.Status.PENDING).update(
        status=FollowUp.Status.SENDING
    ):
        return 0
    follow_up = FollowUp.objects.select_related("mobilization").get(pk=follow_up_id)
    alerts = Alert.objects.filter(mobilization=follow_up.mobilization).select_related(
        "volunteer", "mobilization"
    )
    if follow_up.audience == FollowUp.Audience.ACCEPTED:
        alerts = alerts.filter(response=Alert.Response.ACCEPTED)
    else:
        alerts = alerts.filter(response=Alert.Response.NONE, status=Alert.Status.SENT)
    messages = [
        _follow_up_email(follow_up, alert) for alert in alerts if alert.volunteer is not None
    ]
    sent = 0
    try:
        if messages:
            with get_connection() as connection:
                for message in messages:  # one at a time, to know how many got it
                    sent += connection.send_messages([message]) or 0
    except (OSError, smtplib.SMTPException) as exc:
        # Not retried (some may have it already): the coordinator sees the error and how
        # many got it on the progress page, and can write again.
        FollowUp.objects.filter(pk=follow_up_id).update(
            status=FollowUp.Status.FAILED,
            sent_at=timezone.now(),
            recipients=sent,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.warning("Follow-up %s stopped after %s messages: %r", follow_up_id, sent, exc)
        return sent
    FollowUp.objects.filter(pk=follow_up_id).update(
        status=FollowUp.Status.SENT, sent_at=timezone.now(), recipients=sent
    )
    return sent


def _follow_up_email(follow_up, alert):
    volunteer = alert.volunteer
    with translation.override(volunteer.language or settings.LANGUAGE_CODE):
        context = {
            "follow_up": follow_up,
            "mobilization": follow_up.mobilization,
            "respond_url": respond_url(alert),
        }
        if follow_up.audience == FollowUp.Audience.NO_ANSWER:
            subject = _("No longer needed: %(title)s") % {"title": follow_up.mobilization.title}
            body = render_to_string("missions/email/no_longer_needed.txt", context)
        else:
            subject = follow_up.subject
            body = render_to_string("missions/email/follow_up.txt", context)
    return EmailMultiAlternatives(subject, body, to=[volunteer.email])


# --- Volunteer data (RGPD) ----------------------------------------------------------
def export_volunteer_data(user):
    return [
        {
            "call_up": alert.mobilization.title,
            "crisis": alert.mobilization.crisis.title,
            "starts_at": alert.mobilization.starts_at.isoformat(),
            "ends_at": alert.mobilization.ends_at.isoformat(),
            "wave": alert.wave,
            "channel": alert.channel,
            "status": alert.status,
            "sent_at": alert.sent_at.isoformat() if alert.sent_at else None,
            "answer": alert.response,
            "answered_at": alert.responded_at.isoformat() if alert.responded_at else None,
        }
        for alert in Alert.objects.filter(volunteer=user).select_related(
            "mobilization", "mobilization__crisis"
        )
    ]


def erase_volunteer_data(user):
    """Detach the volunteer from their alerts (counts stay right) and drop their feed."""
    from .models import CalendarFeed

    alert_ids = list(Alert.objects.filter(volunteer=user).values_list("pk", flat=True))
    Availability.objects.filter(source__in=[f"missions.alert:{pk}" for pk in alert_ids]).delete()
    for pk in alert_ids:
        Alert.objects.filter(pk=pk).update(
            volunteer=None, token=uuid.uuid4().hex + uuid.uuid4().hex, last_error=""
        )
    CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_for(user):
    from .models import CalendarFeed

    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed
