"""How the coordinators' pages say durations, times and people, in the reader's language."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def human_duration(delta):
    """A duration as people say it: "19 s", "4 min 05 s", "2 h 10 min", "3 d 4 h".

    Two units at most: the precision a coordinator needs, and no more. None for None."""
    if delta is None:
        return None
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min %(seconds)02d s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)s s") % {"seconds": seconds}


def local_time(moment, *, now=None):
    """A moment as "07:00" today, or with its date on another day ("3 déc. 2026 07:00")."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(now or timezone.now()).date():
        return date_format(local, "TIME_FORMAT")
    return date_format(local, "SHORT_DATETIME_FORMAT")


def person(user):
    """A volunteer as a coordinator reads them: their name, then their e-mail once
    ("Camille Martin", "camille@example.org"); only the e-mail when they gave no name."""
    if user is None:
        return {"name": _("Deleted account"), "email": ""}
    profile = getattr(user, "profile", None)
    name = (profile.display_name if profile else "") or ""
    return {"name": name or user.email, "email": user.email if name else ""}


def held_alerts_sentence(count, first_at, *, now=None):
    """ "1 alert waits for the end of quiet hours, sending at 07:00": said at launch and on
    the progress page, so that a count of alerted volunteers is never read as "sent"."""
    if not count:
        return ""
    return ngettext(
        "%(count)s alert waits for the end of the volunteer's quiet hours; "
        "it goes out at %(time)s.",
        "%(count)s alerts wait for the end of the volunteers' quiet hours; "
        "the first go out at %(time)s.",
        count,
    ) % {"count": count, "time": local_time(first_at, now=now)}
