"""What coordinators do to a running call-up: close it, extend it, write to those who
accepted; and the follow-up messages, sent by a worker."""

import logging
import smtplib

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from reserve import emails
from volunteers import audit

from ..models import Alert, FollowUp, Mobilization
from .failures import report_failures
from .messages import respond_url
from .outbox import enqueue_follow_up

logger = logging.getLogger(__name__)


def close_mobilization(mobilization, *, by):
    """Close a launched or filled call-up: nothing more is sent, acceptances go to the
    wait list. Idempotent: closing a closed call-up changes nothing and records nothing."""
    with transaction.atomic():
        current = Mobilization.objects.select_for_update().get(pk=mobilization.pk)
        closed = current.status in (Mobilization.Status.LAUNCHED, Mobilization.Status.FILLED)
        if closed:
            Mobilization.objects.filter(pk=current.pk).update(
                status=Mobilization.Status.CLOSED, closed_at=timezone.now()
            )
            audit.record(
                by=by,
                action="missions.close",
                target=current,
                changes={"status": [current.status, Mobilization.Status.CLOSED]},
            )
    mobilization.refresh_from_db()
    if closed:
        report_failures(mobilization_id=mobilization.pk)
    return closed


EXTENDED_FIELDS = ("response_deadline", "headcount", "status")


def extend_mobilization(mobilization, *, by, response_deadline, headcount):
    """Push the deadline back and/or raise the headcount; a filled or closed call-up
    with places left is open again. One transaction, with its audit row."""
    with transaction.atomic():
        mobilization = Mobilization.objects.select_for_update().get(pk=mobilization.pk)
        before = {name: getattr(mobilization, name) for name in EXTENDED_FIELDS}
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
        audit.record(
            by=by,
            action="missions.extend",
            target=mobilization,
            changes={
                name: [before[name], getattr(mobilization, name)]
                for name in EXTENDED_FIELDS
                if before[name] != getattr(mobilization, name)
            },
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
    name = (
        "missions/email/no_longer_needed"
        if follow_up.audience == FollowUp.Audience.NO_ANSWER
        else "missions/email/follow_up"
    )
    context = {
        "follow_up": follow_up,
        "mobilization": follow_up.mobilization,
        "respond_url": respond_url(alert),
    }
    return emails.make_message(name, volunteer.email, context, language=volunteer.language)
