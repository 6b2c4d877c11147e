"""Telling a call-up's launcher of the deliveries that failed, once each."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reserve import emails

from ..models import Alert, Mobilization


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
