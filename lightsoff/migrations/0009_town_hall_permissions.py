"""The Coordinators' and Moderators' permissions on communes and town halls.

Both groups read the communes (loaded by a command, never edited by hand) and correct a
mairie's contact details in the admin; coordinators may also add a missing mairie.
"""

from importlib import import_module

from django.db import migrations

# The same routine as 0004 (create the permissions, give them), with these grants.
permissions = import_module("lightsoff.migrations.0004_group_permissions")
GRANTS = {
    "Coordinators": [
        ("commune", ["view"]),
        ("townhall", ["view", "add", "change"]),
    ],
    "Moderators": [
        ("commune", ["view"]),
        ("townhall", ["view", "change"]),
    ],
}


def grant(apps, schema_editor):
    permissions.grant(apps, schema_editor, GRANTS)


def revoke(apps, schema_editor):
    permissions.revoke(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("lightsoff", "0008_communes_town_halls"),
        ("volunteers", "0002_skills_and_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
