"""Launching a call-up and its later waves: the Alert rows of each wave, in one
transaction, with sending enqueued on commit."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from volunteers import audit
from volunteers.territories import time_zone_for_departement

from ..models import Alert, Mobilization
from ..selectors import targeted_profiles
from .outbox import enqueue_sending


class MobilizationNotDraft(Exception):
    """Launching a call-up that is not a draft (another coordinator was faster)."""


@dataclass
class LaunchResult:
    alerts: int
    queued: bool | None = None  # set on commit: False when the broker was unreachable


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
        audit.record(
            by=by,
            action="missions.launch",
            target=mobilization,
            changes={"status": [Mobilization.Status.DRAFT, mobilization.status]},
        )
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


def alert_channel(*, email, sms, urgent):
    """The channel of an alert, from the volunteer's working channels: both at the red
    level; else e-mail when it works (it carries the whole call-up), else SMS; None when
    neither works."""
    if urgent and email and sms:
        return Alert.Channel.BOTH
    if email:
        return Alert.Channel.EMAIL
    if sms:
        return Alert.Channel.SMS
    return None


# Alerts of different call-ups are written one launch (or wave) at a time, so that the
# frequency cap and the "already committed" rules read what the other one just wrote.
ALERT_CREATION_LOCK = 7_201_911  # any number of our own for pg_advisory_xact_lock


def _create_wave_alerts(mobilization, *, wave, now):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ALERT_CREATION_LOCK])
    rows = targeted_profiles(mobilization, wave=wave, now=now).values_list(
        "user_id",
        "alert_by_email",
        "email_undeliverable_at",
        "alert_by_sms",
        "phone",
        "sms_stopped_at",
        "quiet_hours_start",
        "quiet_hours_end",
        "departement",
    )
    urgent = mobilization.crisis.is_urgent
    alerts = []
    for row in rows.iterator(chunk_size=2000):
        user_id, by_email, bounced, by_sms, phone, stopped, quiet_start, quiet_end, dept = row
        channel = alert_channel(
            email=by_email and bounced is None,
            sms=by_sms and bool(phone) and stopped is None,
            urgent=urgent,
        )
        if channel is None:
            continue
        alerts.append(
            Alert(
                mobilization=mobilization,
                volunteer_id=user_id,
                wave=wave,
                channel=channel,
                not_before=None if urgent else quiet_hours_end(now, quiet_start, quiet_end, dept),
            )
        )
    Alert.objects.bulk_create(alerts, batch_size=2000, ignore_conflicts=True)
    return len(alerts)
