"""The Coordinators' permissions on missions' crises, call-ups and alerts.

volunteers 0002 granted them when it created the groups; they moved here so that the
lower layer's migration history does not know the higher ones. On a database where
volunteers 0002 already granted them, this only adds what is missing (nothing).
"""

from django.db import migrations

GRANTS = {
    "Coordinators": [
        ("crisis", ["view", "add", "change"]),
        ("mobilization", ["view", "add", "change"]),
        ("alert", ["view"]),
    ],
}


def grant(apps, schema_editor):
    """Create missions' permissions now (post_migrate comes too late) and give them."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("missions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model, actions in grants:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="missions",
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GRANTS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for model, actions in grants:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="missions",
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0007_call_up_bounds"),
        ("volunteers", "0002_skills_and_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
