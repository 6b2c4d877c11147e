"""The Coordinators' and Moderators' permissions on lightsoff's first models.

volunteers 0002 granted them when it created the groups; they moved here so that the
lower layer's migration history does not know the higher ones. On a database where
volunteers 0002 already granted them, this only adds what is missing (nothing).
"""

from importlib import import_module

from django.db import migrations

# The same routine as 0004 (create the permissions, give them), with these grants.
permissions = import_module("lightsoff.migrations.0004_group_permissions")
GRANTS = {
    "Coordinators": [
        ("shop", ["view", "change"]),
        ("sighting", ["view", "change"]),
        ("contactaction", ["view"]),
        ("volunteercontacttask", ["view", "change"]),
    ],
    "Moderators": [
        ("shop", ["view", "change"]),
        ("sighting", ["view", "change"]),
        ("contactaction", ["view"]),
    ],
}


def grant(apps, schema_editor):
    permissions.grant(apps, schema_editor, GRANTS)


def revoke(apps, schema_editor):
    permissions.revoke(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("lightsoff", "0006_contact_moderation"),
        ("volunteers", "0002_skills_and_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
