"""How complete a profile is: the steps of the onboarding, each done or not."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Availability, Profile


@dataclass(frozen=True)
class Step:
    key: str
    label: object
    done: bool


@dataclass(frozen=True)
class Completeness:
    steps: tuple

    @property
    def percent(self):
        if not self.steps:
            return 100
        return round(100 * sum(step.done for step in self.steps) / len(self.steps))

    @property
    def done(self):
        return all(step.done for step in self.steps)

    @property
    def missing(self):
        return [step for step in self.steps if not step.done]


def profile_completeness(user):
    """Two queries: the profile with its counts of skills and current periods."""
    from django.db.models import Count, Q

    today = timezone.localdate()
    profile = (
        Profile.objects.filter(user=user)
        .annotate(
            skill_count=Count("profile_skills", distinct=True),
            period_count=Count(
                "availabilities",
                filter=Q(
                    availabilities__kind=Availability.Kind.AVAILABLE,
                    availabilities__ends_on__gte=today,
                ),
                distinct=True,
            ),
        )
        .first()
    )
    if profile is None:
        return Completeness(steps=())
    return Completeness(
        steps=(
            Step("skills", _("your skills"), profile.skill_count > 0),
            Step("availability", _("when you are available"), profile.period_count > 0),
            Step("region", _("where you are"), bool(profile.departement or profile.remote_only)),
            Step(
                "callups",
                _("whether you can be called up"),
                profile.crisis_opt_in or profile.onboarding_completed_at is not None,
            ),
        )
    )
