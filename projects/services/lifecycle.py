"""A project's life: a volunteer's idea, qualification and status changes by coordinators,
the hand-over to the body that carries it on."""

from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve.queue import enqueue_on_commit
from volunteers import audit

from ..models import (
    Membership,
    Project,
    Qualification,
)
from .notices import absolute, coordinators, notify


@transaction.atomic
def propose_project(*, by, **details):
    """Record a volunteer's idea as a project in the "idea" status, led by its author.

    In one transaction: the project and the author's lead membership. After commit, the
    coordinators are notified in the background (once, see `notify_coordinators_of_idea`).
    """
    project = Project.objects.create(
        **details,
        status=Project.Status.IDEA,
        origin=Project.Origin.VOLUNTEER,
        lead=by,
        proposed_by=by,
    )
    Membership.objects.create(project=project, volunteer=by, role=Membership.Role.LEAD)
    enqueue_on_commit("projects.notify_coordinators_of_idea", project.pk)
    return project


def notify_coordinators_of_idea(project_id):
    """E-mail every coordinator about a proposed idea; at most once per project.

    The project is claimed with a conditional UPDATE before the mails go: a second run
    finds it claimed and sends nothing. Returns the number of e-mails sent.
    """
    now = timezone.now()
    claimed = Project.objects.filter(pk=project_id, coordinators_notified_at__isnull=True).update(
        coordinators_notified_at=now
    )
    if not claimed:
        return 0
    project = Project.objects.select_related("proposed_by__profile").get(pk=project_id)
    admin_url = absolute(reverse("admin:projects_project_change", args=[project.pk]))
    sent = 0
    with get_connection() as connection:
        for coordinator in coordinators():
            notify(
                coordinator,
                "idea_proposed",
                {"project": project, "admin_url": admin_url},
                connection=connection,
            )
            sent += 1
    return sent


# --- Status (coordinators) -----------------------------------------------------------------
class NotQualified(ValidationError):
    """A project opens to volunteers only once qualified ("go") by a coordinator."""


@transaction.atomic
def change_status(*, project, status, by=None):
    """Move a project to `status`; the first opening to volunteers is dated (the feed and
    the saved-search digests use it), and so is a hand-over.

    Raises NotQualified when opening a project whose qualification is not "go".
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = project.status
    if (
        status == Project.Status.OPEN
        and project.status != Project.Status.OPEN
        and not Qualification.objects.filter(
            project=project, decision=Qualification.Decision.GO
        ).exists()
    ):
        raise NotQualified(
            _("“%(title)s” opens to volunteers once its qualification gives the go-ahead.")
            % {"title": project.title}
        )
    project.status = status
    fields = ["status", "updated_at"]
    now = timezone.now()
    if status == Project.Status.OPEN and project.opened_at is None:
        project.opened_at = now
        fields.append("opened_at")
    if status == Project.Status.HANDED_OVER and project.handed_over_at is None:
        project.handed_over_at = now
        fields.append("handed_over_at")
    project.save(update_fields=fields)
    if before != status:
        audit.record(
            by=by,
            action="projects.change_status",
            target=project,
            changes={"status": [before, status]},
        )
    return project


@transaction.atomic
def hand_over(*, project, partner, by=None):
    """Hand a project over to the public body or partner that will carry it on: the
    partner is recorded, listed among the partners, and the status becomes handed over."""
    project = change_status(project=project, status=Project.Status.HANDED_OVER, by=by)
    audit.record(
        by=by,
        action="projects.hand_over",
        target=project,
        changes={"handed_over_to": [project.handed_over_to, partner]},
    )
    project.handed_over_to = partner
    project.save(update_fields=["handed_over_to", "updated_at"])
    project.partners.add(partner)
    return project


QUALIFICATION_FIELDS = ("decision", "decided_on", "one_month_deliverable", "urgent_need")


@transaction.atomic
def qualify(*, qualification, by):
    """Save a coordinator's qualification of a project (blind spot, urgent need, what a
    month can deliver, the go / no-go decision, dated when first taken), with its
    audit row when the decision or what it rests on changed."""
    before = (
        Qualification.objects.filter(pk=qualification.pk).values(*QUALIFICATION_FIELDS).first()
        if qualification.pk
        else None
    ) or dict.fromkeys(QUALIFICATION_FIELDS)
    if (
        qualification.decision != Qualification.Decision.PENDING
        and qualification.decided_on is None
    ):
        qualification.decided_on = timezone.localdate()
    qualification.save()
    changes = {
        name: [before[name], getattr(qualification, name)]
        for name in QUALIFICATION_FIELDS
        if before[name] != getattr(qualification, name)
    }
    if changes:
        audit.record(
            by=by, action="projects.qualify", target=qualification.project, changes=changes
        )
    return qualification


def update_project_page(*, project, **fields):
    """The lead edits the project's page: `fields` are the page's own (title, pitch,
    links…); status, qualification and hand-over stay with the coordinators' services."""
    for name, value in fields.items():
        setattr(project, name, value)
    project.save(update_fields=[*fields, "updated_at"])
    return project


def save_need(*, need, **fields):
    """Add a role to a project (`need` unsaved, its project set) or change one."""
    for name, value in fields.items():
        setattr(need, name, value)
    need.save()
    return need
