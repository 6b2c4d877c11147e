"""E-mails go out from real Celery workers, after commit, once."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from projects import tasks
from projects.models import Project
from tests.factories import CoordinatorFactory, NeedFactory, UserFactory
from tests.helpers import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


IDEA = {
    "title": "Alerte canicule",
    "pitch": "Prévenir les personnes isolées.",
    "problem": "Personne ne les appelle.",
    "beneficiaries": "Les personnes âgées isolées.",
    "one_month_deliverable": "Un service d'appels.",
    "help_needed": "Du développement.",
    "theme": "solidarity",
    "expected_weeks": "4",
    "remote": "on",
}


def test_a_worker_mails_the_coordinators_and_the_applicant_once(celery_worker, smtp_server):
    celery_worker(EMAIL_URL=f"smtp://{smtp_server.host}:{smtp_server.port}")
    coordinator = CoordinatorFactory()
    author = UserFactory()
    client = Client()
    client.force_login(author)

    client.post(reverse("projects:propose"), IDEA)
    assert Project.objects.filter(title="Alerte canicule").exists()
    wait_for(lambda: coordinator.email in smtp_server.recipients(), timeout=60)

    need = NeedFactory(project=Project.objects.get(title="Alerte canicule"))
    Project.objects.filter(pk=need.project_id).update(status=Project.Status.OPEN)
    volunteer = UserFactory()
    applicant = Client()
    applicant.force_login(volunteer)
    applicant.post(
        reverse("projects:apply", args=[need.project.slug, need.pk]), {"message": "Dispo"}
    )
    application = need.applications.get()
    # The lead hears of it (a lead who decided first would not need to).
    wait_for(lambda: author.email in smtp_server.recipients(), timeout=60)
    client.post(
        reverse("projects:decide", args=[need.project.slug, application.pk]),
        {"decision": "decline", "reason": "paused"},
    )
    wait_for(lambda: volunteer.email in smtp_server.recipients(), timeout=60)

    # Running the tasks again (a retry, a second worker) sends nothing more.
    tasks.notify_coordinators_of_idea.delay(need.project_id)
    tasks.notify_managers_of_application.delay(application.pk)
    tasks.notify_applicant.delay(application.pk)
    time.sleep(5)  # time for the worker to take both tasks and find them already done
    # The coordinator heard of the idea, the lead of the application, the applicant of
    # the decision: one e-mail each.
    assert sorted(smtp_server.recipients()) == sorted(
        [coordinator.email, author.email, volunteer.email]
    )
