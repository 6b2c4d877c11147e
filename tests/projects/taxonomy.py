"""Skills and groups come from volunteers' data migration, and a transactional test
flushes them at its end. Serialized rollback does not help once a transactional test
without it has run (its flush recreates the content types, and restoring the serialized
copy then collides with them): the transactional tests of the backlog reload the
taxonomy themselves when it is missing."""

from importlib import import_module

from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from volunteers.models import COORDINATORS_GROUP, Skill


def restore_taxonomy():
    if Skill.objects.exists() and Group.objects.filter(name=COORDINATORS_GROUP).exists():
        return
    state = MigrationExecutor(connection).loader.project_state()
    import_module("volunteers.migrations.0002_skills_and_groups").load(state.apps, None)
