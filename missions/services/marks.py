"""The marks a sender writes on the outbox rows it claimed: handed over, sent, failed,
given back; and the Delivery rows of the messages the providers took. Each mark touches
a row only while it is still the sender's claim (`claim_token`). What counts as a
refusal for good, or as a message that certainly did not leave, is decided here too."""

import datetime
import smtplib

import requests
from anymail.exceptions import AnymailAPIError
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ..models import Alert, Delivery

UNCONFIRMED_NOTE = (
    "Delivery not confirmed: the sender stopped after handing the message over; "
    "not sent again, to avoid a duplicate."
)


def backoff(attempts):
    return settings.ALERT_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))


def release(alerts, claim_token, error, now):
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
            delay = backoff(alert.attempts)
            retry_in = delay if retry_in is None else min(retry_in, delay)
            released += rows.update(
                status=Alert.Status.PENDING,
                claim_token="",
                handed_over_at=None,
                not_before=now + datetime.timedelta(seconds=delay),
                last_error=error[:2000],
            )
    return released, failed, retry_in


# An e-mail provider's API (anymail) refusing for a reason of its own, not the message's.


PROVIDER_TRANSIENT_STATUSES = {401, 403, 408, 409, 425, 429}


def is_permanent_refusal(exc):
    """The server or provider refused this message for good (it must not be retried)."""
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        return (
            isinstance(status, int)
            and 400 <= status < 500
            and (status not in PROVIDER_TRANSIENT_STATUSES)
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return all(code >= 500 for code in codes)
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def record_deliveries(deliveries):
    """Write the deliveries the providers accepted. A receipt may have come first and
    written the row (out of order): then only the provider's id and segments are added."""
    if deliveries:
        Delivery.objects.bulk_create(
            deliveries,
            update_conflicts=True,
            unique_fields=["alert", "channel"],
            update_fields=["provider_id", "segments"],
        )


def delivery_row(alert, channel, *, provider_id="", segments=0, reason=""):
    return Delivery(
        alert_id=alert.pk,
        channel=channel,
        provider_id=provider_id or "",
        segments=segments,
        reason=reason,
    )


HAND_OVER_SQL = (
    f"UPDATE {Alert._meta.db_table} SET handed_over_at = %s "  # noqa: S608 - our table name
    "WHERE id = %s AND claim_token = %s AND status = %s"
)


def hand_over(alert, claim_token):
    """Record that this alert is about to leave; False if the claim was lost.

    Plain SQL: it runs once per message, on the hot path of sending."""
    with connection.cursor() as cursor:
        cursor.execute(
            HAND_OVER_SQL, [timezone.now(), alert.pk, claim_token, Alert.Status.SENDING.value]
        )
        return cursor.rowcount == 1


def mark_sent(alert_ids, claim_token, *, note=""):
    if alert_ids:
        Alert.objects.filter(pk__in=alert_ids, claim_token=claim_token).update(
            status=Alert.Status.SENT, sent_at=timezone.now(), last_error=note[:2000]
        )


def mark_unconfirmed(alert, claim_token):
    Alert.objects.filter(pk=alert.pk, claim_token=claim_token).update(
        status=Alert.Status.SENT, sent_at=timezone.now(), last_error=UNCONFIRMED_NOTE
    )


def certainly_not_sent(exc):
    """True when the mail server or provider answered "no", or could not be reached (so
    the message certainly did not leave); False when the answer never came (timeout,
    dropped connection)."""
    if isinstance(exc, AnymailAPIError):
        if getattr(exc, "status_code", None) is not None:
            return True
        cause = exc.__cause__
        return isinstance(cause, requests.ConnectTimeout) or (
            isinstance(cause, requests.ConnectionError) and "NewConnectionError" in repr(cause.args)
        )
    return isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)


def mark_failed(alert, claim_token, error):
    Alert.objects.filter(pk=alert.pk, claim_token=claim_token).update(
        status=Alert.Status.FAILED, last_error=error[:2000]
    )


def give_back(alerts, claim_token, error, result):
    result.given_back.update(a.pk for a in alerts)
    released, failed, retry_in = release(alerts, claim_token, error, timezone.now())
    result.released += released
    result.failed += failed
    result.retry_in = retry_in
    result.errors.append(error)
