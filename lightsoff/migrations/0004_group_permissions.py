from django.db import migrations

# Permissions on the models added after volunteers/0002 created the groups.
GRANTS = {
    "Moderators": [
        ("round", ["view"]),
        ("volunteercontacttask", ["view", "change"]),
    ],
    "Coordinators": [
        ("round", ["view", "add", "change", "delete"]),
        ("reportersubscription", ["view"]),
    ],
}


def grant(apps, schema_editor, grants_by_group=GRANTS):
    """Create lightsoff's permissions now (post_migrate comes too late) and give them.
    Later migrations call it with their own grants."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("lightsoff")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in grants_by_group.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model, actions in grants:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="lightsoff",
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


def revoke(apps, schema_editor, grants_by_group=GRANTS):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in grants_by_group.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for model, actions in grants:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="lightsoff",
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("lightsoff", "0003_subscriptions_rounds_stages"),
        ("volunteers", "0002_skills_and_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
