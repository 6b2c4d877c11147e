"""Reads of the call-up pipeline: who a wave targets (and why), progress, answer rates."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, DurationField, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from volunteers.models import Profile, Skill

from .display import held_alerts_sentence, human_duration
from .models import MAX_WAVES, Alert, Delivery, Mobilization


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: object
    count: int


def wave_skill_ids(mobilization, wave):
    """Skills wanted by a wave: those of the call-up; from wave 3, their whole families."""
    skill_ids = [skill.pk for skill in mobilization.skills.all()]
    if wave >= 3 and skill_ids:
        families = Skill.objects.filter(pk__in=skill_ids).values("family")
        skill_ids = list(Skill.objects.filter(family__in=families).values_list("pk", flat=True))
    return skill_ids


def _located(profiles, mobilization, wave):
    """Wave 1: in the régions or départements (or remote when the call-up allows it);
    from wave 2: anywhere."""
    if wave >= 2 or not (mobilization.regions or mobilization.departements):
        return profiles
    return profiles.in_regions(
        mobilization.regions,
        departements=mobilization.departements,
        include_remote=mobilization.remote,
    )


def _cap_window_start(now):
    return now - datetime.timedelta(hours=settings.ALERT_FREQUENCY_CAP_HOURS)


def _not_over_cap(profiles, mobilization, now):
    recent = Alert.objects.filter(
        volunteer=OuterRef("user_id"), created_at__gte=_cap_window_start(now)
    ).exclude(mobilization=mobilization)
    return profiles.exclude(Exists(recent))


def _not_committed_elsewhere(profiles, mobilization):
    overlapping = Alert.objects.filter(
        volunteer=OuterRef("user_id"),
        response=Alert.Response.ACCEPTED,
        mobilization__starts_at__lt=mobilization.ends_at,
        mobilization__ends_at__gt=mobilization.starts_at,
    ).exclude(mobilization=mobilization)
    return profiles.exclude(Exists(overlapping))


def _not_already_alerted(profiles, mobilization):
    return profiles.exclude(
        Exists(Alert.objects.filter(mobilization=mobilization, volunteer=OuterRef("user_id")))
    )


def _funnel(mobilization, wave, now):
    """The targeting filters in order, each with what it means for a coordinator."""
    start = timezone.localtime(mobilization.starts_at).date()
    end = timezone.localtime(mobilization.ends_at).date()
    steps = [
        ("reachable", _("opted in to crisis call-ups, with a channel"), lambda qs: qs),
        (
            "skills",
            _("with the skills wanted") if wave < 3 else _("with the skills or related ones"),
            lambda qs: qs.with_skills(wave_skill_ids(mobilization, wave)),
        ),
        (
            "location",
            _("in the regions, or remote") if wave < 2 else _("in any region"),
            lambda qs: _located(qs, mobilization, wave),
        ),
        ("available", _("available on the dates"), lambda qs: qs.available_between(start, end)),
        (
            "committed",
            _("not committed to an overlapping call-up"),
            lambda qs: _not_committed_elsewhere(qs, mobilization),
        ),
    ]
    if not mobilization.crisis.is_urgent:
        steps.append(
            (
                "cap",
                _("not alerted by another call-up in the last hours"),
                lambda qs: _not_over_cap(qs, mobilization, now),
            )
        )
    steps.append(
        (
            "new",
            _("not already alerted by this call-up"),
            lambda qs: _not_already_alerted(qs, mobilization),
        )
    )
    return steps


def targeted_profiles(mobilization, *, wave, now=None):
    """The profiles a wave alerts, every filter applied (the frequency cap waived at red)."""
    now = now or timezone.now()
    profiles = Profile.objects.reachable_for_crises()
    for _key, _label, apply in _funnel(mobilization, wave, now):
        profiles = apply(profiles)
    return profiles


def targeting_funnel(mobilization, *, wave, now=None):
    """How many volunteers remain after each filter of a wave: the "why" of the preview."""
    now = now or timezone.now()
    profiles = Profile.objects.reachable_for_crises()
    steps = []
    for key, label, apply in _funnel(mobilization, wave, now):
        profiles = apply(profiles)
        steps.append(FunnelStep(key, label, profiles.count()))
    return steps


def targeting_preview(mobilization, *, now=None):
    """The funnel of every wave still to go out, for the admin before a launch or a wave.

    Later waves are counted as if the earlier ones had gone out: a volunteer is counted
    in the first wave that reaches them."""
    now = now or timezone.now()
    first = max(mobilization.current_wave + 1, 1)
    waves = []
    counted = set()
    # Bounded whatever the field holds: the admin previews a form not yet validated.
    for wave in range(first, min(mobilization.max_waves, MAX_WAVES) + 1):
        funnel = targeting_funnel(mobilization, wave=wave, now=now)
        user_ids = set(
            targeted_profiles(mobilization, wave=wave, now=now).values_list("user_id", flat=True)
        )
        new = user_ids - counted
        counted |= user_ids
        waves.append({"wave": wave, "funnel": funnel, "new": len(new)})
    return waves


@dataclass(frozen=True)
class Progress:
    targeted: int
    pending: int
    sent: int
    failed: int
    accepted: int
    declined: int
    waitlisted: int
    no_answer: int
    headcount: int
    time_to_fill: datetime.timedelta | None
    # What the providers said back, per volunteer reached (either channel).
    delivered: int = 0
    undelivered: int = 0
    bounced: int = 0
    sms_segments: int = 0
    # Pending alerts held back by the volunteers' quiet hours (or a retry's backoff),
    # and when the first of them goes out.
    held: int = 0
    held_until: datetime.datetime | None = None

    @property
    def sms_cost(self):
        return round(self.sms_segments * settings.SMS_PRICE_PER_SEGMENT, 2)

    @property
    def filled_percent(self):
        if not self.headcount:
            return 100
        return min(100, round(100 * self.accepted / self.headcount))

    def as_json(self, mobilization):
        return {
            "status": mobilization.status,
            "status_label": str(mobilization.get_status_display()),
            "current_wave": mobilization.current_wave,
            "targeted": self.targeted,
            "pending": self.pending,
            "sent": self.sent,
            "failed": self.failed,
            "accepted": self.accepted,
            "declined": self.declined,
            "waitlisted": self.waitlisted,
            "no_answer": self.no_answer,
            "headcount": self.headcount,
            "filled_percent": self.filled_percent,
            "delivered": self.delivered,
            "undelivered": self.undelivered,
            "bounced": self.bounced,
            "sms_segments": self.sms_segments,
            "sms_cost": f"{number_format(self.sms_cost, 2)} {settings.SMS_CURRENCY}",
            "time_to_fill_s": (
                int(self.time_to_fill.total_seconds()) if self.time_to_fill is not None else None
            ),
            "time_to_fill": human_duration(self.time_to_fill),
            "held": self.held,
            "held_text": held_alerts_sentence(self.held, self.held_until),
        }


def mobilization_progress(mobilization, *, now=None):
    """The live counts of a call-up, in two queries (its alerts, their deliveries)."""
    held = Q(status=Alert.Status.PENDING, not_before__gt=now or timezone.now())
    counts = Alert.objects.filter(mobilization=mobilization).aggregate(
        held=Count("pk", filter=held),
        held_until=Min("not_before", filter=held),
        targeted=Count("pk"),
        pending=Count("pk", filter=Q(status__in=[Alert.Status.PENDING, Alert.Status.SENDING])),
        sent=Count("pk", filter=Q(status=Alert.Status.SENT)),
        failed=Count("pk", filter=Q(status=Alert.Status.FAILED)),
        accepted=Count("pk", filter=Q(response=Alert.Response.ACCEPTED)),
        declined=Count("pk", filter=Q(response=Alert.Response.DECLINED)),
        waitlisted=Count("pk", filter=Q(response=Alert.Response.WAITLISTED)),
        no_answer=Count("pk", filter=Q(response=Alert.Response.NONE, status=Alert.Status.SENT)),
    )
    counts.update(
        Delivery.objects.filter(alert__mobilization=mobilization).aggregate(
            delivered=Count("alert", distinct=True, filter=Q(status=Delivery.Status.DELIVERED)),
            undelivered=Count(
                "alert",
                distinct=True,
                filter=Q(status__in=[Delivery.Status.UNDELIVERED, Delivery.Status.REJECTED]),
            ),
            bounced=Count("alert", distinct=True, filter=Q(status=Delivery.Status.BOUNCED)),
            sms_segments=Coalesce(Sum("segments", filter=Q(channel=Alert.Channel.SMS)), 0),
        )
    )
    time_to_fill = None
    if mobilization.filled_at and mobilization.launched_at:
        time_to_fill = mobilization.filled_at - mobilization.launched_at
    return Progress(headcount=mobilization.headcount, time_to_fill=time_to_fill, **counts)


def failed_alerts(mobilization):
    return (
        Alert.objects.filter(mobilization=mobilization, status=Alert.Status.FAILED)
        .select_related("volunteer")
        .order_by("pk")
    )


def answered_alerts(mobilization):
    return (
        Alert.objects.filter(mobilization=mobilization)
        .exclude(response=Alert.Response.NONE)
        .select_related("volunteer", "volunteer__profile")
        .order_by("-responded_at")
    )


def volunteer_responsiveness():
    """Per volunteer: alerts received, share answered, mean time to answer.

    To target better (who answers fast, who is swamped), never to rank people."""
    return (
        Alert.objects.filter(status=Alert.Status.SENT, volunteer__isnull=False)
        .values("volunteer_id", "volunteer__email", "volunteer__profile__display_name")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=~Q(response=Alert.Response.NONE)),
            accepted=Count("pk", filter=Q(response=Alert.Response.ACCEPTED)),
            mean_delay=Avg(
                F("responded_at") - F("sent_at"),
                filter=Q(responded_at__isnull=False),
                output_field=DurationField(),
            ),
        )
        .order_by("-received", "volunteer__email")
    )


def volunteer_alerts(user):
    """A volunteer's call-ups, newest first, for their space."""
    return (
        Alert.objects.filter(volunteer=user)
        .select_related("mobilization", "mobilization__crisis")
        .order_by("-created_at")
    )


def accepted_callups(user):
    return volunteer_alerts(user).filter(response=Alert.Response.ACCEPTED)


def launched_mobilizations():
    return Mobilization.objects.filter(status=Mobilization.Status.LAUNCHED)
