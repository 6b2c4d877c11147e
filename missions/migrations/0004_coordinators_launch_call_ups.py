"""Coordinators launch, close and extend call-ups and send follow-up messages."""

from django.db import migrations

GRANTS = [
    ("mobilization", ["launch"]),
    ("followup", ["view", "add"]),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("missions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Coordinators")
    for model, actions in GRANTS:
        codenames = [f"{action}_{model}" for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="missions", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Coordinators").first()
    if group:
        codenames = [f"{action}_{model}" for model, actions in GRANTS for action in actions]
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="missions", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0003_waves_follow_ups_and_claims"),
        ("volunteers", "0002_skills_and_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
