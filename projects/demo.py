"""Demo projects for `manage.py seed_demo`: the reserve's two first challenges, then others."""

import random

from django.utils import timezone
from django.utils.text import slugify

from volunteers.models import Skill, User

from .models import RESERVED_SLUGS, Need, Partner, Project, Qualification

FIRST_CHALLENGES = [
    {
        "title": "LightsOff",
        "pitch": "Faire éteindre les vitrines allumées la nuit, commerce par commerce.",
        "problem": (
            "Les enseignes et vitrines de commerces fermés restent souvent allumées la nuit, "
            "malgré l'arrêté du 27 décembre 2018. On estime ce gaspillage à 250 000 tonnes de "
            "CO₂ par an en France, l'équivalent des émissions de Marseille."
        ),
        "beneficiaries": "Les citoyens, les communes, les commerçants (leur facture baisse).",
        "one_month_deliverable": "Une carte où signaler un commerce et un kit pour agir.",
        "theme": Project.Theme.ENERGY_CLIMATE,
        "status": Project.Status.IN_PROGRESS,
        "skills": ["developpement-backend", "design-ux", "cartographie-sig", "communication"],
    },
    {
        "title": "Précarité énergétique : repérer les foyers en difficulté",
        "pitch": "Aider les services sociaux à repérer les foyers qui ne se chauffent plus.",
        "problem": (
            "Des millions de foyers ont froid chez eux. Les aides existent mais n'atteignent "
            "pas ceux qui ne les demandent pas. Les acteurs sociaux manquent d'outils pour "
            "les repérer tôt."
        ),
        "beneficiaries": "Les foyers en précarité énergétique et les travailleurs sociaux.",
        "one_month_deliverable": "Un outil de repérage testé avec un CCAS.",
        "theme": Project.Theme.ENERGY_POVERTY,
        "status": Project.Status.OPEN,
        "skills": ["data-analyse", "action-sociale", "design-ux", "developpement-frontend"],
    },
]

OTHER_TITLES = [
    ("Carte des îlots de fraîcheur", Project.Theme.ENVIRONMENT, "environnement"),
    ("Simulateur d'aides au logement", Project.Theme.HOUSING, "developpement-frontend"),
    ("Covoiturage solidaire rural", Project.Theme.MOBILITY, "developpement-mobile"),
    ("Tableau de bord des banques alimentaires", Project.Theme.FOOD, "dataviz"),
    ("Orientation des demandeurs d'emploi seniors", Project.Theme.EMPLOYMENT, "design-ux"),
    ("Annuaire des lieux de santé mentale", Project.Theme.HEALTH, "sante"),
    ("Consultation citoyenne accessible", Project.Theme.DEMOCRACY, "accessibilite"),
    ("Alerte canicule pour les personnes isolées", Project.Theme.SOLIDARITY, "gestion-de-crise"),
]


def seed(options, stdout):
    rng = random.Random(options.get("seed", 2022))
    count = options.get("projects", 8)
    partner, _ = Partner.objects.get_or_create(
        name="Bayes Impact", defaults={"kind": Partner.Kind.ASSOCIATION}
    )
    ministry, _ = Partner.objects.get_or_create(
        name="Ministère de la Transition écologique", defaults={"kind": Partner.Kind.PUBLIC_BODY}
    )
    lead = User.objects.filter(email__endswith="@demo.reserve.localhost").order_by("pk").first()
    skills = {s.slug: s for s in Skill.objects.all()}
    existing = set(Project.objects.values_list("title", flat=True))
    created = 0
    for spec in FIRST_CHALLENGES:
        if spec["title"] in existing:
            continue
        project = Project.objects.create(
            **{k: v for k, v in spec.items() if k != "skills"},
            origin=Project.Origin.VOLUNTEER,
            lead=lead,
            opened_at=timezone.now(),
        )
        project.partners.add(partner, ministry)
        Qualification.objects.create(
            project=project,
            blind_spot="Personne ne mesure ni ne traite ce gaspillage au quotidien.",
            urgent_need="Hiver de crise énergétique : chaque kWh compte.",
            one_month_deliverable=spec["one_month_deliverable"],
            decision=Qualification.Decision.GO,
            decided_on=timezone.localdate(),
        )
        for slug in spec["skills"]:
            Need.objects.create(project=project, skill=skills[slug], headcount=rng.randint(1, 3))
        created += 1
    # Then other projects up to --projects, numbered past the catalogue when it runs out.
    others = max(0, count - len(FIRST_CHALLENGES))
    new_projects = []
    for i in range(others):
        title, theme, skill_slug = OTHER_TITLES[i % len(OTHER_TITLES)]
        if i >= len(OTHER_TITLES):
            title = f"{title} ({i // len(OTHER_TITLES) + 1})"
        if title in existing:
            continue
        new_projects.append((title, theme, skill_slug))
    statuses = [Project.Status.OPEN] * 4 + [
        Project.Status.IDEA,
        Project.Status.QUALIFYING,
        Project.Status.IN_PROGRESS,
        Project.Status.DELIVERED,
    ]
    # Bulk inserts (10,000 projects take seconds): slugs are set here, unique by title.
    taken = set(Project.objects.values_list("slug", flat=True))
    now = timezone.now()
    batch = []
    for title, theme, skill_slug in new_projects:
        slug = slugify(title)[:140] or "projet"
        base, n = slug, 2
        while slug in taken or slug in RESERVED_SLUGS:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        status = rng.choice(statuses)
        batch.append(
            (
                Project(
                    title=title,
                    slug=slug,
                    pitch=f"{title} : un outil simple, construit en un mois.",
                    problem=(
                        "Un besoin identifié avec des agents publics, sans outil adapté "
                        "aujourd'hui."
                    ),
                    theme=theme,
                    status=status,
                    expected_weeks=rng.choice([3, 4, 6, 8]),
                    remote=rng.random() < 0.8,
                    opened_at=None if status == Project.Status.IDEA else now,
                ),
                skill_slug,
            )
        )
    Project.objects.bulk_create([project for project, _slug in batch], batch_size=2000)
    Need.objects.bulk_create(
        [
            Need(project=project, skill=skills[skill_slug], hours_per_week=rng.choice([4, 8, 15]))
            for project, skill_slug in batch
        ],
        batch_size=5000,
    )
    created += len(batch)
    stdout.write(f"Projects: {created} created ({Project.objects.count()} in all).\n")
