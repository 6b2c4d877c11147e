"""The beat schedule names real tasks, and the tasks run twice without a second e-mail."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from projects import tasks
from reserve.celery import app
from tests.factories import ApplicationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_every_projects_beat_entry_names_a_registered_task():
    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("projects")}
    assert len(entries) == 4
    for entry in entries.values():
        assert entry["task"] in app.tasks


def test_the_reminder_tasks_are_safe_to_run_twice():
    application = ApplicationFactory()
    application.created_at = timezone.now() - datetime.timedelta(days=3)
    application.save()
    MembershipFactory(expected_end=timezone.localdate() + datetime.timedelta(days=2))
    for _ in range(2):
        tasks.remind_pending_applications.delay()
        tasks.ask_members_to_continue.delay()
    assert len(mail.outbox) == 2
