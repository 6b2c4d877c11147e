"""The staff groups' permissions on projects, missions and lightsoff moved from
volunteers 0002 to a migration of each of those apps (the lower layer's history no
longer knows the higher ones). Real `manage.py migrate` runs on throw-away SQLite
files show that existing and new databases end up with the same grants.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[2]

# A frozen copy of what volunteers 0002 granted before the move (its GROUPS dict then).
# An existing database got these grants from it; it must keep them.
OLD_VOLUNTEERS_0002_GROUPS = {
    "Coordinators": [
        ("volunteers", "profile", ["view", "change"]),
        ("volunteers", "availability", ["view", "add", "change", "delete"]),
        ("volunteers", "profileskill", ["view", "add", "change", "delete"]),
        ("volunteers", "skill", ["view", "add", "change"]),
        ("projects", "project", ["view", "add", "change"]),
        ("projects", "qualification", ["view", "add", "change"]),
        ("projects", "need", ["view", "add", "change", "delete"]),
        ("projects", "partner", ["view", "add", "change"]),
        ("projects", "application", ["view", "change"]),
        ("projects", "membership", ["view", "change"]),
        ("missions", "crisis", ["view", "add", "change"]),
        ("missions", "mobilization", ["view", "add", "change"]),
        ("missions", "alert", ["view"]),
        ("lightsoff", "shop", ["view", "change"]),
        ("lightsoff", "sighting", ["view", "change"]),
        ("lightsoff", "contactaction", ["view"]),
        ("lightsoff", "volunteercontacttask", ["view", "change"]),
    ],
    "Moderators": [
        ("lightsoff", "shop", ["view", "change"]),
        ("lightsoff", "sighting", ["view", "change"]),
        ("lightsoff", "contactaction", ["view"]),
    ],
}
OLD_GRANTS = {
    (group, app_label, f"{action}_{model}")
    for group, grants in OLD_VOLUNTEERS_0002_GROUPS.items()
    for app_label, model, actions in grants
    for action in actions
}
MOVED_GRANTS = {grant for grant in OLD_GRANTS if grant[1] != "volunteers"}

# The last migration of each app before the one that took its grants over.
BEFORE_THE_MOVE = {
    "projects": "0006_team_messages",
    "missions": "0007_call_up_bounds",
    "lightsoff": "0006_contact_moderation",
}
THE_MOVE = {
    "projects": "0007_group_permissions",
    "missions": "0008_group_permissions",
    "lightsoff": "0007_group_permissions",
}

LAYERS = {"reserve": 0, "volunteers": 1, "projects": 2, "missions": 2, "lightsoff": 2}

# Every app at its latest migration, but the three at BEFORE_THE_MOVE; then the grants
# the old volunteers 0002 made. Each step is the real migrate command.
MIGRATE_TO_BEFORE_THE_MOVE = """
import json
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

before = json.loads({before!r})
for app_label, name in sorted(MigrationLoader(connection).graph.leaf_nodes()):
    call_command("migrate", app_label, before.get(app_label, name), verbosity=0)
for group_name, grants in json.loads({old_groups!r}).items():
    group, _ = Group.objects.get_or_create(name=group_name)
    for app_label, model, actions in grants:
        group.permissions.add(*Permission.objects.filter(
            content_type__app_label=app_label,
            codename__in=[f"{{action}}_{{model}}" for action in actions],
        ))
"""

MIGRATE_BACK = """
import json
from django.core.management import call_command

for app_label, name in json.loads({targets!r}).items():
    call_command("migrate", app_label, name, verbosity=0)
"""

SNAPSHOT = """
import json
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

permissions = [
    (group.name, permission.content_type.app_label, permission.codename)
    for group in Group.objects.all()
    for permission in group.permissions.select_related("content_type")
]
applied = list(MigrationRecorder(connection).applied_migrations())
print("SNAPSHOT " + json.dumps({"permissions": permissions, "applied": applied}))
"""


def _manage(database, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env["DATABASE_URL"] = f"sqlite:///{database}"
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _shell(database, code):
    return _manage(database, "shell", "-c", code)


def _snapshot(database):
    """The groups' permissions as sorted (group, app_label, codename), and the applied
    migrations as (app_label, name)."""
    line = next(
        line for line in _shell(database, SNAPSHOT).splitlines() if line.startswith("SNAPSHOT ")
    )
    data = json.loads(line.removeprefix("SNAPSHOT "))
    return (
        sorted(tuple(row) for row in data["permissions"]),
        {tuple(row) for row in data["applied"]},
    )


def _copy(database, tmp_path, name):
    copy = tmp_path / name
    shutil.copyfile(database, copy)
    return copy


@pytest.fixture(scope="module")
def existing_database(tmp_path_factory):
    """A database as deployments have it today: migrated before the move, with the
    grants of the old volunteers 0002."""
    database = tmp_path_factory.mktemp("existing") / "db.sqlite3"
    _shell(
        database,
        MIGRATE_TO_BEFORE_THE_MOVE.format(
            before=json.dumps(BEFORE_THE_MOVE),
            old_groups=json.dumps(OLD_VOLUNTEERS_0002_GROUPS),
        ),
    )
    permissions, applied = _snapshot(database)
    return database, permissions, applied


@pytest.fixture(scope="module")
def migrated_existing_database(existing_database, tmp_path_factory):
    """The existing database after `manage.py migrate`."""
    database = _copy(existing_database[0], tmp_path_factory.mktemp("migrated"), "db.sqlite3")
    _manage(database, "migrate", "--noinput")
    permissions, applied = _snapshot(database)
    return database, permissions, applied


def test_an_existing_database_is_reproduced_before_the_move(existing_database):
    _, permissions, applied = existing_database
    for app_label, name in BEFORE_THE_MOVE.items():
        assert (app_label, name) in applied
        assert (app_label, THE_MOVE[app_label]) not in applied
    assert ("volunteers", "0002_skills_and_groups") in applied
    assert set(permissions) >= OLD_GRANTS


def test_groups_keep_their_permissions_when_an_existing_database_migrates_forward(
    existing_database, migrated_existing_database
):
    _, before, _ = existing_database
    _, after, applied = migrated_existing_database

    assert set(THE_MOVE.items()) <= applied
    # Nothing granted before is lost; what is new concerns only models that came later
    # (their own grant migrations, e.g. lightsoff's town halls).
    assert set(before) <= set(after)
    old_models = {(app, perm.split("_", 1)[1]) for _, app, perm in before}
    for group, app, perm in set(after) - set(before):
        assert (app, perm.split("_", 1)[1]) not in old_models, (group, app, perm)
    assert ("Coordinators", "missions", "add_mobilization") in after
    assert ("Coordinators", "projects", "delete_need") in after
    assert ("Moderators", "lightsoff", "change_shop") in after


def test_a_fresh_database_gets_the_same_permissions_as_a_migrated_existing_one(
    migrated_existing_database, tmp_path
):
    database = tmp_path / "fresh.sqlite3"
    _manage(database, "migrate", "--noinput")
    fresh, _ = _snapshot(database)

    assert fresh == migrated_existing_database[1]
    assert set(fresh) >= OLD_GRANTS


def test_migrating_back_before_the_move_takes_back_only_the_moved_grants(
    migrated_existing_database, tmp_path
):
    database = _copy(migrated_existing_database[0], tmp_path, "db.sqlite3")
    migrated = migrated_existing_database[1]

    _shell(database, MIGRATE_BACK.format(targets=json.dumps(BEFORE_THE_MOVE)))
    back, applied = _snapshot(database)
    assert not set(THE_MOVE.items()) & applied
    # The moved grants go back with their migrations (and so do grants of models that came
    # later in those apps); every other app's grants stay.
    assert not set(back) & MOVED_GRANTS
    assert set(back) <= set(migrated)
    assert {grant for grant in migrated if grant[1] not in BEFORE_THE_MOVE} <= set(back)
    assert ("Coordinators", "volunteers", "change_profile") in back
    assert ("Coordinators", "missions", "launch_mobilization") in back  # missions 0004

    _manage(database, "migrate", "--noinput")
    assert _snapshot(database)[0] == migrated


def test_no_migration_depends_on_an_app_of_a_higher_layer():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for (app_label, name), node in graph.node_map.items():
        if app_label not in LAYERS:
            continue
        for parent_app, parent_name in (parent.key for parent in node.parents):
            if parent_app == app_label:
                continue
            if app_label == "reserve":
                # The bottom layer may build only on Django's own apps.
                assert apps.get_app_config(parent_app).name.startswith("django.contrib."), (
                    f"reserve.{name} depends on {parent_app}.{parent_name}"
                )
            elif parent_app in LAYERS:
                assert LAYERS[parent_app] <= LAYERS[app_label], (
                    f"{app_label}.{name} depends on {parent_app}.{parent_name}"
                )


def test_volunteers_history_does_not_know_projects_missions_or_lightsoff():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for app_label, name in graph.nodes:
        if app_label == "volunteers":
            ancestors = {key[0] for key in graph.forwards_plan((app_label, name))}
            assert not ancestors & {"projects", "missions", "lightsoff"}, name


def test_each_grant_migration_comes_right_after_the_state_the_test_reproduces():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for app_label, name in THE_MOVE.items():
        parents = {parent.key for parent in graph.node_map[(app_label, name)].parents}
        assert (app_label, BEFORE_THE_MOVE[app_label]) in parents
        assert ("volunteers", "0002_skills_and_groups") in parents
