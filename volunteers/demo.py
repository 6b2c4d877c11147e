"""Demo volunteers for `manage.py seed_demo` (bulk inserts: 100,000 take seconds)."""

import datetime
import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from .models import COORDINATORS_GROUP, Availability, Profile, ProfileSkill, Skill, User
from .territories import DEPARTEMENTS, region_for_departement

COORDINATOR_EMAIL = "coordinator@reserve.localhost"
COORDINATOR_PASSWORD = "reserve-demo"  # noqa: S105 - printed demo credentials
VOLUNTEER_PASSWORD = "reserve-demo"  # noqa: S105
VOLUNTEER_EMAIL = "volunteer{:06d}@demo.reserve.localhost"

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Jade",
    "Louise",
    "Emma",
    "Alice",
    "Lina",
    "Zoé",
    "Yasmine",
    "Nora",
    "Aïcha",
    "Lucas",
    "Hugo",
    "Louis",
    "Nathan",
    "Gabriel",
    "Arthur",
    "Jules",
    "Adam",
    "Karim",
    "Malik",
    "Théo",
    "Paul",
    "Sacha",
    "Mehdi",
    "Tom",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Andre",
    "Mercier",
    "Diallo",
    "Nguyen",
    "Benali",
    "Haddad",
    "Traoré",
    "Lopez",
]
EMPLOYERS = ["", "", "", "", "Scopyleft", "Octo", "La Poste", "SNCF", "Capgemini", "Doctolib"]
BIOS = [
    "Développeuse back-end entre deux missions freelance.",
    "Designer UX, je peux donner trois semaines en janvier.",
    "Data analyst, prêté par mon employeur un jour par semaine.",
    "Chef de projet dans l'énergie, disponible les soirs.",
    "Communicante, habituée aux campagnes d'intérêt général.",
    "Entrepreneur, deux exits, envie d'être utile.",
]
# Départements weighted towards the big metropolitan areas, as a real reserve would be.
WEIGHTED_DEPARTEMENTS = ["75"] * 12 + [
    "92",
    "93",
    "94",
    "69",
    "13",
    "31",
    "33",
    "59",
    "44",
    "67",
] * 3


def seed(options, stdout):
    rng = random.Random(options.get("seed", 2022))
    coordinator = _coordinator()
    created = _volunteers(options.get("volunteers", 150), rng)
    stdout.write(
        f"Volunteers: {created} created ({Profile.objects.count()} in all).\n"
        f"Coordinator: {coordinator.email} / {COORDINATOR_PASSWORD}\n"
        f"Any demo volunteer: {VOLUNTEER_EMAIL.format(1)} / {VOLUNTEER_PASSWORD}\n"
    )


def _coordinator():
    user, created = User.objects.get_or_create(
        email=COORDINATOR_EMAIL, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_password(COORDINATOR_PASSWORD)
        user.save()
        user.profile.display_name = "Coordination Réserve"
        # The demo account has "accepted" the notice, so the printed login opens the site.
        user.profile.record_consent()
        user.profile.save()
    user.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _volunteers(count, rng):
    """Create the demo volunteers numbered 1..count that do not exist yet."""
    existing = set(
        User.objects.filter(email__endswith="@demo.reserve.localhost").values_list(
            "email", flat=True
        )
    )
    emails = [VOLUNTEER_EMAIL.format(i) for i in range(1, count + 1)]
    missing = [email for email in emails if email not in existing]
    if not missing:
        return 0
    password = make_password(VOLUNTEER_PASSWORD)
    now = timezone.now()
    batch = 5000
    skills = list(Skill.objects.values_list("id", flat=True))
    departements = [code for code, _name, _region in DEPARTEMENTS]
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        users = User.objects.bulk_create(
            [
                User(
                    email=email,
                    password=password,
                    date_joined=now - datetime.timedelta(days=rng.randint(0, 900)),
                    language="en" if rng.random() < 0.1 else "fr",
                )
                for email in chunk
            ],
            batch_size=batch,
        )
        if not users[0].pk:  # backends that do not return ids on bulk insert
            users = list(User.objects.filter(email__in=chunk))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=batch,
        )
        profiles = Profile.objects.bulk_create(
            [_profile(user, rng, departements) for user in users], batch_size=batch
        )
        if not profiles[0].pk:
            profiles = list(Profile.objects.filter(user__in=users))
        ProfileSkill.objects.bulk_create(
            [
                ProfileSkill(
                    profile=profile,
                    skill_id=skill_id,
                    level=rng.choice([1, 2, 2, 3]),
                    intent="learning" if rng.random() < 0.15 else "offered",
                )
                for profile in profiles
                for skill_id in rng.sample(skills, rng.randint(1, 4))
            ],
            batch_size=batch,
        )
        Availability.objects.bulk_create(
            [period for profile in profiles for period in _availabilities(profile, rng)],
            batch_size=batch,
        )
    return len(missing)


def _profile(user, rng, departements):
    departement = rng.choice(WEIGHTED_DEPARTEMENTS if rng.random() < 0.7 else departements)
    remote_only = rng.random() < 0.2
    opt_in = rng.random() < 0.6
    return Profile(
        user=user,
        display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        bio=rng.choice(BIOS),
        departement=departement,
        region=region_for_departement(departement),
        remote_only=remote_only,
        can_travel=rng.random() < 0.3,
        crisis_opt_in=opt_in,
        alert_by_email=True,
        employer=rng.choice(EMPLOYERS),
        languages=["fr", "en"] if rng.random() < 0.5 else ["fr"],
        status=Profile.Status.PAUSED if rng.random() < 0.05 else Profile.Status.ACTIVE,
        onboarding_completed_at=user.date_joined,
        consent_version=1,
        consented_at=user.date_joined,
    )


def _availabilities(profile, rng):
    today = timezone.localdate()
    for _ in range(rng.randint(0, 2)):
        start = today + datetime.timedelta(days=rng.randint(-10, 60))
        yield Availability(
            profile=profile,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=rng.choice([7, 14, 21, 30])),
            hours_per_week=rng.choice([4, 8, 15, 20, 30, 35]),
        )
