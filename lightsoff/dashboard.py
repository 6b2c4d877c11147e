"""LightsOff's block of the admin dashboard (reserve.dashboard): what moderators review.

LightsOff has no "reviewed" mark: a moderator reads the reports and "I did it" entries of
the last days and hides the abusive ones. So "to review" is what came in during the last
REVIEW_DAYS days and is still shown; the link opens that list, newest first."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from reserve.dashboard import Entry, register_block

from .models import ContactAction, Referral, Shop, Sighting, VolunteerContactTask

REVIEW_DAYS = 7


def _since():
    return timezone.localdate() - datetime.timedelta(days=REVIEW_DAYS - 1)


def _recent_list(url_name, since):
    return f"{reverse(url_name)}?created_at__gte={since.isoformat()}&is_hidden__exact=0"


def to_review(request):
    since = _since()
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time()))
    user = request.user
    entries = []
    sightings = Sighting.objects.filter(created_at__gte=start, is_hidden=False).count()
    entries.append(
        Entry(
            text=ngettext(
                "%(count)s sighting reported in the last %(days)s days",
                "%(count)s sightings reported in the last %(days)s days",
                sightings,
            )
            % {"count": sightings, "days": REVIEW_DAYS},
            url=_recent_list("admin:lightsoff_sighting_changelist", since),
            count=sightings,
        )
    )
    if user.has_perm("lightsoff.view_contactaction"):
        contacts = ContactAction.objects.filter(created_at__gte=start, is_hidden=False).count()
        entries.append(
            Entry(
                text=ngettext(
                    "%(count)s contact entry logged in the last %(days)s days",
                    "%(count)s contact entries logged in the last %(days)s days",
                    contacts,
                )
                % {"count": contacts, "days": REVIEW_DAYS},
                url=_recent_list("admin:lightsoff_contactaction_changelist", since),
                count=contacts,
            )
        )
    if user.has_perm("lightsoff.view_volunteercontacttask"):
        tasks = VolunteerContactTask.objects.filter(status=VolunteerContactTask.Status.OPEN).count()
        if tasks:
            entries.append(
                Entry(
                    text=ngettext(
                        "%(count)s “do it for me” request waits for a volunteer",
                        "%(count)s “do it for me” requests wait for a volunteer",
                        tasks,
                    )
                    % {"count": tasks},
                    url=reverse("admin:lightsoff_volunteercontacttask_changelist")
                    + "?status__exact=open",
                    count=tasks,
                )
            )
    if user.has_perm("lightsoff.change_shop"):
        to_refer = Shop.objects.public().filter(status=Shop.Status.TO_REFER).count()
        if to_refer:
            entries.append(
                Entry(
                    text=ngettext(
                        "%(count)s repeat offender to refer to its town hall",
                        "%(count)s repeat offenders to refer to their town halls",
                        to_refer,
                    )
                    % {"count": to_refer},
                    url=reverse("admin:lightsoff_shop_changelist") + "?status__exact=to_refer",
                    count=to_refer,
                )
            )
    if user.has_perm("lightsoff.change_referral"):
        waiting = Referral.objects.filter(
            status__in=[Referral.Status.WAITING, Referral.Status.FAILED]
        ).count()
        if waiting:
            entries.append(
                Entry(
                    text=ngettext(
                        "%(count)s dossier waits to be sent to a town hall",
                        "%(count)s dossiers wait to be sent to town halls",
                        waiting,
                    )
                    % {"count": waiting},
                    url=reverse("admin:lightsoff_referral_changelist"),
                    count=waiting,
                )
            )
    return entries


register_block(
    "lightsoff.moderation",
    title=gettext_lazy("LightsOff: to review"),
    permissions=["lightsoff.change_sighting"],
    entries=to_review,
    order=40,
)
