"""Who handles the referrals to town halls and their agents.

Coordinators add the town-hall agents (scoped to communes) and see the referrals and the
actions the mairies record; moderators see and send the referrals. The "Town hall" group
holds the agents (services/town_halls.py adds them): their space is on the site, not in
the admin, so it grants nothing here.
"""

from importlib import import_module

from django.db import migrations

# The same routine as 0004 (create the permissions, give them), with these grants.
permissions = import_module("lightsoff.migrations.0004_group_permissions")
GRANTS = {
    "Coordinators": [
        ("referral", ["view", "change"]),
        ("townhallagent", ["view", "add", "change", "delete"]),
        ("townhallaction", ["view"]),
    ],
    "Moderators": [
        ("referral", ["view", "change"]),
        ("townhallaction", ["view"]),
    ],
    "Town hall": [],
}


def grant(apps, schema_editor):
    permissions.grant(apps, schema_editor, GRANTS)


def revoke(apps, schema_editor):
    permissions.revoke(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("lightsoff", "0014_referrals_town_hall_agents"),
        ("volunteers", "0002_skills_and_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
