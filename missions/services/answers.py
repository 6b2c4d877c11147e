"""A volunteer's answer to a call-up (from the web link, and later from an SMS or an
e-mail reply): the headcount, the wait list, the filled call-up; the opt-out link."""

from django.db import transaction
from django.utils import timezone

from reserve import emails
from volunteers.models import Availability

from ..models import Alert, FollowUp, Mobilization
from .failures import report_failures
from .messages import respond_url
from .outbox import enqueue_follow_up


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
    emails.send_quietly(
        "missions/email/promoted",
        volunteer.email,
        {"mobilization": alert.mobilization, "respond_url": respond_url(alert)},
        language=volunteer.language,
    )


def opt_out(alert):
    """Stop crisis call-ups for the volunteer of this alert (the List-Unsubscribe link)."""
    profile = getattr(alert.volunteer, "profile", None)
    if profile is not None and profile.crisis_opt_in:
        profile.crisis_opt_in = False
        profile.save(update_fields=["crisis_opt_in", "updated_at"])
    return profile
