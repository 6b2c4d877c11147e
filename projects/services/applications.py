"""Applications to a project's needs: apply, the leads' decision, withdrawal, and the
e-mails around them (each claimed before it is sent, so a second run sends none)."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve.queue import enqueue_on_commit

from ..models import (
    Application,
    Membership,
    Need,
    Project,
)
from .notices import absolute, notify, project_managers

logger = logging.getLogger(__name__)

#: Leads are reminded of an application left pending after these many days.
REMINDER_DAYS = (2, 7)
#: Projects that take volunteers.
RECRUITING = (Project.Status.OPEN, Project.Status.IN_PROGRESS)


@transaction.atomic
def apply_for_need(*, need, volunteer, message=""):
    """A volunteer applies for an open need of a recruiting project, once per need.

    Raises ValidationError (with a message for the volunteer) otherwise.
    """
    need = Need.objects.select_for_update().select_related("project").get(pk=need.pk)
    if not need.is_open or need.project.status not in RECRUITING:
        raise ValidationError(_("This role is no longer open."))
    if Membership.objects.filter(
        project=need.project, volunteer=volunteer, left_at__isnull=True
    ).exists():
        raise ValidationError(_("You are already in this project's team."))
    if Application.objects.filter(need=need, volunteer=volunteer).exists():
        raise ValidationError(_("You already applied for this role."))
    application = Application.objects.create(need=need, volunteer=volunteer, message=message)
    enqueue_on_commit("projects.notify_managers_of_application", application.pk)
    return application


def notify_managers_of_application(application_id):
    """Tell the project's lead(s) of a new application, once (claimed before sending)."""
    claimed = Application.objects.filter(
        pk=application_id, managers_notified_at__isnull=True, status=Application.Status.PENDING
    ).update(managers_notified_at=timezone.now())
    if not claimed:
        return 0
    application = Application.objects.select_related(
        "need__project", "need__skill", "volunteer__profile"
    ).get(pk=application_id)
    project = application.need.project
    manage_url = absolute(reverse("projects:manage", kwargs={"slug": project.slug}))
    sent = 0
    for manager in project_managers(project):
        notify(
            manager,
            "new_application",
            {"project": project, "applications": [application], "manage_url": manage_url},
        )
        sent += 1
    return sent


def _decidable(application):
    application = (
        Application.objects.select_for_update()
        .select_related("need__project")
        .get(pk=application.pk)
    )
    if application.status != Application.Status.PENDING:
        raise ValidationError(_("This application was already decided."))
    return application


def _notify_after_commit(application):
    enqueue_on_commit("projects.notify_applicant", application.pk)


@transaction.atomic
def accept_application(*, application, by, role=Membership.Role.MEMBER):
    """Accept an application: the volunteer joins the team for the need's duration, and
    the need closes once its headcount is reached. In one transaction; the applicant is
    told by e-mail after commit."""
    application = _decidable(application)
    # Locked: two leads accepting at once cannot both take the last place.
    need = Need.objects.select_for_update().select_related("project").get(pk=application.need_id)
    if not need.is_open:
        raise ValidationError(
            _("This role is filled: reopen it first, or decline with “need already filled”.")
        )
    if need.project.status not in RECRUITING:
        raise ValidationError(_("This project no longer takes volunteers."))
    now = timezone.now()
    application.status = Application.Status.ACCEPTED
    application.decided_at = now
    application.decided_by = by
    application.save(update_fields=["status", "decided_at", "decided_by"])
    membership, _created = Membership.objects.get_or_create(
        project=need.project,
        volunteer=application.volunteer,
        left_at__isnull=True,
        defaults={
            "need": need,
            "role": role,
            "expected_end": timezone.localdate() + datetime.timedelta(weeks=need.weeks),
        },
    )
    filled = Membership.objects.filter(need=need, left_at__isnull=True).count()
    if filled >= need.headcount:
        Need.objects.filter(pk=need.pk).update(is_open=False)
    _notify_after_commit(application)
    return membership


@transaction.atomic
def decline_application(*, application, by, reason, note=""):
    """Decline an application with a reason the applicant sees; told by e-mail after commit."""
    if reason not in Application.DeclineReason.values:
        raise ValidationError(_("Choose a reason."))
    application = _decidable(application)
    application.status = Application.Status.DECLINED
    application.decline_reason = reason
    application.decline_note = note
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(
        update_fields=["status", "decline_reason", "decline_note", "decided_at", "decided_by"]
    )
    _notify_after_commit(application)
    return application


def withdraw_application(*, application):
    """The applicant withdraws a pending application (a decided one stays as it is)."""
    return Application.objects.filter(pk=application.pk, status=Application.Status.PENDING).update(
        status=Application.Status.WITHDRAWN, decided_at=timezone.now()
    )


def notify_applicant(application_id):
    """Tell the applicant the decision, once: the application is claimed before sending."""
    claimed = (
        Application.objects.filter(pk=application_id, applicant_notified_at__isnull=True)
        .exclude(status__in=[Application.Status.PENDING, Application.Status.WITHDRAWN])
        .update(applicant_notified_at=timezone.now())
    )
    if not claimed:
        return 0
    application = Application.objects.select_related(
        "volunteer", "need__project", "need__skill"
    ).get(pk=application_id)
    project = application.need.project
    notify(
        application.volunteer,
        "application_decided",
        {
            "application": application,
            "project": project,
            "project_url": absolute(project.get_absolute_url()),
            "space_url": absolute(reverse("projects:mine")),
        },
    )
    return 1


def remind_leads_of_pending_applications(*, now=None):
    """Remind leads of applications pending for 2 days, then again after 7 days.

    Applications are claimed (their reminder stage raised) under row locks that other
    runs skip, then each lead gets one e-mail listing theirs. Returns e-mails sent.
    """
    now = now or timezone.now()
    claimed = []
    with transaction.atomic():
        for stage, days in enumerate(REMINDER_DAYS, start=1):
            rows = list(
                Application.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=Application.Status.PENDING,
                    created_at__lte=now - datetime.timedelta(days=days),
                    lead_reminders_sent__lt=stage,
                )
                .exclude(pk__in=[a.pk for a in claimed])
                .select_related("need__project", "need__skill", "volunteer__profile")
            )
            Application.objects.filter(pk__in=[a.pk for a in rows]).update(
                lead_reminders_sent=stage
            )
            claimed.extend(rows)
    by_project = {}
    for application in claimed:
        by_project.setdefault(application.need.project, []).append(application)
    sent = 0
    for project, applications in by_project.items():
        manage_url = absolute(reverse("projects:manage", kwargs={"slug": project.slug}))
        for manager in project_managers(project):
            try:
                notify(
                    manager,
                    "pending_reminder",
                    {"project": project, "applications": applications, "manage_url": manage_url},
                )
            except Exception:  # one bad address must not cost the other leads their reminder
                logger.exception("Reminder to %s about %s not sent.", manager.pk, project.pk)
                continue
            sent += 1
    return sent
