"""The call-ups' blocks of the admin dashboard (reserve.dashboard): running call-ups with
their live counts, drafts to launch, deliveries that failed."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from reserve.dashboard import Entry, register_block

from .models import Alert, Delivery, Mobilization

MAX_RUNNING_SHOWN = 10


def running_callups(request):
    """Each running call-up with its answers (one query), then the drafts (one more)."""
    running = (
        Mobilization.objects.filter(status=Mobilization.Status.LAUNCHED)
        .annotate(
            accepted=Count("alerts", filter=Q(alerts__response=Alert.Response.ACCEPTED)),
            declined=Count("alerts", filter=Q(alerts__response=Alert.Response.DECLINED)),
            targeted=Count("alerts"),
        )
        .order_by("response_deadline")[:MAX_RUNNING_SHOWN]
    )
    entries = [
        Entry(
            text=ngettext(
                "%(title)s: %(accepted)s/%(headcount)s accepted",
                "%(title)s: %(accepted)s/%(headcount)s accepted",
                m.accepted,
            )
            % {"title": m.title, "accepted": m.accepted, "headcount": m.headcount},
            url=reverse("admin:missions_mobilization_progress", args=[m.pk]),
            count=1,
            detail=ngettext(
                "%(targeted)s alerted, %(declined)s declined, wave %(wave)s",
                "%(targeted)s alerted, %(declined)s declined, wave %(wave)s",
                m.targeted,
            )
            % {"targeted": m.targeted, "declined": m.declined, "wave": m.current_wave},
        )
        for m in running
    ]
    drafts = Mobilization.objects.filter(status=Mobilization.Status.DRAFT).count()
    if drafts:
        entries.append(
            Entry(
                text=ngettext(
                    "%(count)s draft call-up to launch",
                    "%(count)s draft call-ups to launch",
                    drafts,
                )
                % {"count": drafts},
                url=reverse("admin:missions_mobilization_changelist") + "?status__exact=draft",
                count=drafts,
            )
        )
    return entries


def undelivered_alerts():
    """Alerts of running call-ups that did not reach their volunteer: failed to send, or
    refused by the provider afterwards (undelivered, bounced)."""
    return Alert.objects.filter(mobilization__status=Mobilization.Status.LAUNCHED).filter(
        Q(status=Alert.Status.FAILED) | Q(deliveries__status__in=Delivery.FAILURES)
    )


def failed_deliveries(request):
    count = undelivered_alerts().values("pk").distinct().count()
    if not count:
        return []
    return [
        Entry(
            text=ngettext(
                "%(count)s alert of a running call-up did not reach its volunteer",
                "%(count)s alerts of running call-ups did not reach their volunteers",
                count,
            )
            % {"count": count},
            url=reverse("admin:missions_alert_changelist") + "?undelivered=running",
            count=count,
        )
    ]


register_block(
    "missions.running",
    title=gettext_lazy("Running call-ups"),
    permissions=["missions.view_mobilization"],
    entries=running_callups,
    order=10,
    empty=gettext_lazy("No call-up is running."),
)
register_block(
    "missions.failures",
    title=gettext_lazy("Failed deliveries"),
    permissions=["missions.view_alert"],
    entries=failed_deliveries,
    order=20,
    empty=gettext_lazy("Every alert of the running call-ups reached its volunteer."),
)
