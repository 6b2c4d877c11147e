"""A volunteer answers a call-up by replying to its SMS or its e-mail.

The reply is read by `reserve.replies` (OUI/NON/STOP, in any case, with accents or
punctuation around them) and recorded through `answers.record_response`, as the web link
does. By SMS, the number says who answers, and the answer goes to that volunteer's most
recent open call-up; by e-mail, the token in the address replied to names the alert (a
From address proves nothing). "STOP" turns SMS call-ups off; anything else gets one short
help text. An unknown number gets nothing recorded.
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reserve import replies
from volunteers.models import Profile

from ..models import Alert, Mobilization
from .answers import Outcome, record_response

OPEN = (Mobilization.Status.LAUNCHED, Mobilization.Status.FILLED)


def latest_open_alert(user):
    """The alert of the volunteer's most recent call-up still open (launched or filled),
    which an SMS reply answers."""
    return (
        Alert.objects.filter(volunteer=user, mobilization__status__in=OPEN)
        .select_related("mobilization", "volunteer")
        .order_by("-created_at", "-pk")
        .first()
    )


def profile_for_number(number):
    """The volunteer whose mobile number this is (E.164), or None."""
    if not number:
        return None
    return (
        Profile.objects.select_related("user")
        .filter(phone=number, user__is_active=True)
        .order_by("pk")
        .first()
    )


def answer_by_sms(*, from_number, text):
    """Record what the text says; returns the reply to send back (in the volunteer's
    language), or None for a number that is not a volunteer's."""
    profile = profile_for_number(from_number)
    if profile is None:
        return None
    kind = replies.parse_reply(text)
    with translation.override(profile.user.language or settings.LANGUAGE_CODE):
        if kind == replies.STOP:
            stop_sms(profile)
            return _(
                "Réserve: you will no longer receive call-ups by SMS. You can turn them "
                "back on in your profile."
            )
        alert = latest_open_alert(profile.user)
        if kind == replies.UNKNOWN or alert is None:
            return _help_text(alert)
        outcome = record_response(alert, accept=kind == replies.ACCEPT)
        return _confirmation(alert, outcome)


def answer_by_email(*, token, text):
    """Record the answer at the top of an e-mail reply to the alert of `token`; returns
    the Outcome, or None when the reply says neither yes nor no (or the token is not an
    alert's)."""
    if not Alert.token_looks_valid(token):
        return None
    alert = Alert.objects.filter(token=token).select_related("volunteer").first()
    if alert is None or alert.volunteer is None:
        return None
    kind = replies.parse_reply(replies.reply_line(text))
    if kind not in (replies.ACCEPT, replies.DECLINE):
        return None
    return record_response(alert, accept=kind == replies.ACCEPT)


def stop_sms(profile):
    """The volunteer answered STOP: no more call-ups by SMS until they turn them on."""
    Profile.objects.filter(pk=profile.pk).update(alert_by_sms=False, sms_stopped_at=timezone.now())


def _confirmation(alert, outcome):
    title = alert.mobilization.title[:60]
    if outcome == Outcome.ACCEPTED:
        return _("Réserve: thank you, you are on the team for “%(title)s”.") % {"title": title}
    if outcome == Outcome.WAITLISTED:
        return _("Réserve: “%(title)s” is full; you are on the wait list.") % {"title": title}
    return _("Réserve: noted, you do not take part in “%(title)s”.") % {"title": title}


def _help_text(alert):
    if alert is None:
        return _("Réserve: no call-up is open for you right now. STOP: no more SMS.")
    return _(
        "Réserve: reply YES to take part in “%(title)s”, NO to decline. STOP: no more SMS."
    ) % {"title": alert.mobilization.title[:60]}
