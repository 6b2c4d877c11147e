import datetime

from django.utils import timezone

from tests.factories import (
    AvailabilityFactory,
    MobilizationFactory,
    ProfileSkillFactory,
    UserFactory,
    skill,
)
from tests.fakes import brevo_server, twilio_server  # noqa: F401 - fixtures

BACKEND = "developpement-backend"


def reachable_volunteer(*, skills=(BACKEND,), region="11", available=True, **profile):
    """A volunteer who matches a default call-up: opted in, skilled, located, available."""
    # Equal bounds: no quiet hours, so that tests do not depend on the time they run at.
    fields = {
        "crisis_opt_in": True,
        "region": region,
        "quiet_hours_start": datetime.time(0, 0),
        "quiet_hours_end": datetime.time(0, 0),
        **profile,
    }
    user = UserFactory(**{f"profile__{k}": v for k, v in fields.items()})
    for slug in skills:
        ProfileSkillFactory(profile=user.profile, skill=skill(slug))
    if available:
        today = timezone.localdate()
        AvailabilityFactory(
            profile=user.profile,
            starts_on=today - datetime.timedelta(days=1),
            ends_on=today + datetime.timedelta(days=30),
        )
    return user


def draft_callup(**kwargs):
    skills = kwargs.pop("skills", (BACKEND,))
    mobilization = MobilizationFactory(**kwargs)
    mobilization.skills.set([skill(slug) for slug in skills])
    return mobilization
