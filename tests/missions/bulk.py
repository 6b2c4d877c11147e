"""Many matching volunteers at once (bulk inserts), for the reliability tests and benchmark."""

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from volunteers.models import Availability, Profile, ProfileSkill, Skill, User

REGIONS = ["11", "84", "93", "76", "75", "44", "32", "28", "53", "52", "24", "27", "94"]


def bulk_volunteers(
    count, *, prefix="bulk", skill_slug="developpement-backend", every=1, batch=5000
):
    """Create `count` volunteers; one in `every` matches a call-up for `skill_slug` in
    region 11 (opted in, available, no quiet hours); the others differ in skill or region.
    Returns the e-mail addresses of the matching ones."""
    password = make_password(None)
    skills = list(Skill.objects.order_by("pk"))
    wanted = Skill.objects.get(slug=skill_slug)
    others = [s for s in skills if s.family != wanted.family] or skills
    today = timezone.localdate()
    matching = []
    for start in range(0, count, batch):
        size = min(batch, count - start)
        users = User.objects.bulk_create(
            [User(email=f"{prefix}{start + i}@example.org", password=password) for i in range(size)]
        )
        profiles = []
        for i, user in enumerate(users):
            n = start + i
            match = n % every == 0
            profiles.append(
                Profile(
                    user=user,
                    display_name=f"Réserviste {n}",
                    crisis_opt_in=match or n % 3 != 0,
                    region="11" if match else REGIONS[n % len(REGIONS)],
                    quiet_hours_start=datetime.time(0, 0),
                    quiet_hours_end=datetime.time(0, 0),
                )
            )
            if match:
                matching.append(user.email)
        profiles = Profile.objects.bulk_create(profiles)
        ProfileSkill.objects.bulk_create(
            [
                ProfileSkill(
                    profile=profile,
                    skill=wanted if (start + i) % every == 0 else others[(start + i) % len(others)],
                )
                for i, profile in enumerate(profiles)
            ]
        )
        Availability.objects.bulk_create(
            [
                Availability(
                    profile=profile,
                    starts_on=today - datetime.timedelta(days=1),
                    ends_on=today + datetime.timedelta(days=60),
                    hours_per_week=10,
                )
                for profile in profiles
            ]
        )
    return matching
