import datetime
from importlib import import_module

from django.utils import timezone

from tests.factories import (
    AvailabilityFactory,
    MobilizationFactory,
    ProfileSkillFactory,
    UserFactory,
    skill,
)

BACKEND = "developpement-backend"


def ensure_taxonomy():
    """Bring back the skills, groups and permissions that migrations load, if a
    transactional test (live server, real workers) flushed them before this one."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site

    from volunteers.models import Skill

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "localhost", "name": "Réserve"}
    )
    data = import_module("volunteers.migrations.0002_skills_and_groups")
    ours = import_module("missions.migrations.0004_coordinators_launch_call_ups")
    if not Skill.objects.exists():
        for family, skills in data.SKILLS.items():
            for slug, name, name_en in skills:
                Skill.objects.update_or_create(
                    slug=slug, defaults={"name": name, "name_en": name_en, "family": family}
                )
    if not Permission.objects.filter(codename="launch_mobilization").exists():
        ContentType.objects.clear_cache()
        for config in apps.get_app_configs():
            create_permissions(config, verbosity=0)
    # Other apps' helpers may have brought the groups back with their own grants only.
    grants = {name: list(rows) for name, rows in data.GROUPS.items()}
    grants["Coordinators"] += [("missions", model, actions) for model, actions in ours.GRANTS]
    for group_name, rows in grants.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for app_label, model, actions in rows:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


def reachable_volunteer(*, skills=(BACKEND,), region="11", available=True, **profile):
    """A volunteer who matches a default call-up: opted in, skilled, located, available."""
    ensure_taxonomy()
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
    ensure_taxonomy()
    skills = kwargs.pop("skills", (BACKEND,))
    mobilization = MobilizationFactory(**kwargs)
    mobilization.skills.set([skill(slug) for slug in skills])
    return mobilization
