"""Demo crisis with a draft call-up for `manage.py seed_demo`."""

import datetime

from django.utils import timezone

from volunteers.models import Skill

from .models import Crisis, Mobilization

CRISIS_TITLE = "Vague de froid — Île-de-France"


def seed(options, stdout):
    now = timezone.now()
    crisis, created = Crisis.objects.get_or_create(
        title=CRISIS_TITLE,
        defaults={
            "kind": Crisis.Kind.COLD_WAVE,
            "description": "Plan grand froid déclenché : renfort des maraudes et de l'hébergement.",
            "regions": ["11"],
            "severity": Crisis.Severity.ORANGE,
            "opened_at": now,
        },
    )
    mobilization, mob_created = Mobilization.objects.get_or_create(
        crisis=crisis,
        title="Cartographier les places d'hébergement d'urgence",
        defaults={
            "ask": (
                "Mettre à jour en temps réel la carte des places d'hébergement d'urgence "
                "pour les maraudes, pendant une semaine."
            ),
            "headcount": 8,
            "regions": ["11"],
            "remote": True,
            "starts_at": now + datetime.timedelta(days=1),
            "ends_at": now + datetime.timedelta(days=8),
            "response_deadline": now + datetime.timedelta(hours=12),
        },
    )
    if mob_created:
        mobilization.skills.set(
            Skill.objects.filter(
                slug__in=["cartographie-sig", "data-analyse", "developpement-frontend"]
            )
        )
    stdout.write(
        f"Crisis: {'created' if created else 'already there'}; draft call-up "
        f"{'created' if mob_created else 'already there'}.\n"
    )
