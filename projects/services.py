"""Every write of the backlog that spans rows or sends mail.

Views, the admin, Celery tasks and commands all call these functions. E-mails are never
sent inside a transaction: a service enqueues a task with `transaction.on_commit`, and
the task claims its row with a conditional UPDATE before sending, so that running it
twice (a retry, a second worker) never sends a second e-mail.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from volunteers.models import COORDINATORS_GROUP, Profile, User

from .filters import ProjectFilter
from .models import (
    Application,
    Membership,
    Need,
    Project,
    Qualification,
    SavedSearch,
    TeamMessage,
    Update,
)

logger = logging.getLogger(__name__)

#: Leads are reminded of an application left pending after these many days.
REMINDER_DAYS = (2, 7)
#: Members are asked whether they go on this many days before their expected end.
CONTINUATION_NOTICE_DAYS = 7
#: How long a membership is extended when the member goes on.
EXTENSION_WEEKS = 4
DIGEST_PERIODS = {
    SavedSearch.Frequency.DAILY: datetime.timedelta(hours=23),
    SavedSearch.Frequency.WEEKLY: datetime.timedelta(days=6, hours=23),
}
#: Statuses in which a project takes applications.
RECRUITING = (Project.Status.OPEN, Project.Status.IN_PROGRESS)


# --- Mail ---------------------------------------------------------------------------
def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def _mail(user, subject, template, context, connection=None, reply_to=None):
    """Render and send one plain-text e-mail in the recipient's language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string(template, {"user": user, "site_url": settings.SITE_URL, **context})
        # A title typed with a line break must not break the header (BadHeaderError).
        subject = " ".join(f"[Réserve] {subject()}".split())
    EmailMessage(subject, body, to=[user.email], reply_to=reply_to, connection=connection).send()


def coordinators():
    """Active coordinators: members of the Coordinators group, and superusers."""
    return (
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=COORDINATORS_GROUP))
        .filter(is_active=True)
        .distinct()
        .order_by("pk")
    )


def project_managers(project):
    """Who decides on a project's applications: its lead and members with the lead role."""
    ids = set(
        project.memberships.filter(role=Membership.Role.LEAD, left_at__isnull=True).values_list(
            "volunteer_id", flat=True
        )
    )
    if project.lead_id:
        ids.add(project.lead_id)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


# --- Ideas ------------------------------------------------------------------------------
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
    from .tasks import notify_coordinators_of_idea

    transaction.on_commit(lambda: notify_coordinators_of_idea.delay(project.pk))
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
    admin_url = _absolute(reverse("admin:projects_project_change", args=[project.pk]))
    sent = 0
    with get_connection() as connection:
        for coordinator in coordinators():
            _mail(
                coordinator,
                lambda: _("New project idea: %(title)s") % {"title": project.title},
                "projects/email/idea_proposed.txt",
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
    logger.info("Project %s moved to %s by %s", project.pk, status, getattr(by, "pk", None))
    return project


@transaction.atomic
def hand_over(*, project, partner, by=None):
    """Hand a project over to the public body or partner that will carry it on: the
    partner is recorded, listed among the partners, and the status becomes handed over."""
    project = change_status(project=project, status=Project.Status.HANDED_OVER, by=by)
    project.handed_over_to = partner
    project.save(update_fields=["handed_over_to", "updated_at"])
    project.partners.add(partner)
    return project


# --- Applications -------------------------------------------------------------------------
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
    from .tasks import notify_managers_of_application

    transaction.on_commit(lambda: notify_managers_of_application.delay(application.pk))
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
    manage_url = _absolute(reverse("projects:manage", kwargs={"slug": project.slug}))
    sent = 0
    for manager in project_managers(project):
        _mail(
            manager,
            lambda: _("New application on %(title)s") % {"title": project.title},
            "projects/email/pending_reminder.txt",
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
    from .tasks import notify_applicant

    transaction.on_commit(lambda: notify_applicant.delay(application.pk))


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
    _mail(
        application.volunteer,
        lambda: (
            (
                _("You join %(title)s")
                if application.status == Application.Status.ACCEPTED
                else _("Your application to %(title)s")
            )
            % {"title": project.title}
        ),
        "projects/email/application_decided.txt",
        {
            "application": application,
            "project": project,
            "project_url": _absolute(project.get_absolute_url()),
            "space_url": _absolute(reverse("projects:mine")),
        },
    )
    return 1


# --- Team ---------------------------------------------------------------------------------
@transaction.atomic
def leave_project(*, membership):
    """The member leaves the team (the membership is kept, dated, for the history).

    A lead who leaves gives up the project's management with it: the project has no
    lead until a coordinator names one (members with the lead role keep theirs)."""
    left = Membership.objects.filter(pk=membership.pk, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    if left:
        Project.objects.filter(pk=membership.project_id, lead_id=membership.volunteer_id).update(
            lead=None
        )
    return left


@transaction.atomic
def extend_membership(*, membership, weeks=EXTENSION_WEEKS):
    """The member goes on: the expected end moves by `weeks`, and they will be asked again."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    start = max(membership.expected_end or timezone.localdate(), timezone.localdate())
    membership.expected_end = start + datetime.timedelta(weeks=weeks)
    membership.continuation_asked_at = None
    membership.save(update_fields=["expected_end", "continuation_asked_at"])
    return membership


def post_update(*, project, author, body):
    """A dated news post on the project page."""
    return Update.objects.create(project=project, author=author, body=body)


# --- Messages to the team ------------------------------------------------------------------
def write_to_team(*, project, author, subject, body):
    """Save a lead's message to the team; the e-mails go in the background after commit."""
    from .tasks import deliver_team_message

    message = TeamMessage.objects.create(project=project, author=author, subject=subject, body=body)
    transaction.on_commit(lambda: deliver_team_message.delay(message.pk))
    return message


def deliver_team_message(message_id):
    """E-mail a team message to each current member but its author, in their language,
    with Reply-To the author. Claimed first (sent_at), so it is sent once."""
    now = timezone.now()
    if not TeamMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(sent_at=now):
        return 0
    message = TeamMessage.objects.select_related("project", "author__profile").get(pk=message_id)
    project, author = message.project, message.author
    members = (
        User.objects.filter(
            is_active=True,
            memberships__project=project,
            memberships__left_at__isnull=True,
        )
        .exclude(pk=getattr(author, "pk", None))
        .distinct()
        .order_by("pk")
    )
    context = {
        "message": message,
        "author_name": getattr(getattr(author, "profile", None), "display_name", ""),
        "project": project,
        "project_url": _absolute(project.get_absolute_url()),
    }
    sent = 0
    with get_connection() as connection:
        for member in members:
            try:
                _mail(
                    member,
                    lambda: f"{project.title} — {message.subject}",
                    "projects/email/team_message.txt",
                    context,
                    connection=connection,
                    reply_to=[author.email] if author else None,
                )
            except Exception:  # one bad address must not cost the others the message
                logger.exception("Team message %s not sent to %s.", message_id, member.pk)
                continue
            sent += 1
    TeamMessage.objects.filter(pk=message_id).update(recipients=sent)
    return sent


# --- Saved searches -----------------------------------------------------------------------
def clean_query(params):
    """The filter part of a backlog query string (no page number, no empty values)."""
    allowed = set(ProjectFilter.base_filters) | {"order"}
    query = QueryDict(mutable=True)
    for key in sorted(allowed & set(params)):
        values = [v for v in params.getlist(key) if v]
        if values:
            query.setlist(key, values)
    return query.urlencode()


def save_search(*, user, params, name, frequency=SavedSearch.Frequency.WEEKLY):
    """Save the current backlog filters; projects opened from now on go in the digest."""
    return SavedSearch.objects.create(
        user=user, name=name, query=clean_query(params), frequency=frequency
    )


def projects_matching(search, *, opened_after, opened_until):
    """Projects opened in (opened_after, opened_until] matching the saved filters."""
    queryset = Project.objects.filter(
        status=Project.Status.OPEN, opened_at__gt=opened_after, opened_at__lte=opened_until
    )
    filterset = ProjectFilter(QueryDict(search.query), queryset=queryset)
    if not filterset.is_valid():
        return []
    return list(filterset.qs.order_by("-opened_at")[:20])


def send_saved_search_digests(*, frequency, now=None):
    """Send the digest of each due saved search of this frequency; returns e-mails sent.

    Each search is claimed by moving its `last_sent_at` from the value read to now
    (a conditional UPDATE): a concurrent run skips it, and no project is sent twice.
    """
    now = now or timezone.now()
    period = DIGEST_PERIODS.get(frequency)
    if period is None:
        return 0
    # A paused volunteer asked for quiet: no recommendations until the pause ends.
    available = Profile.objects.active().filter(user=OuterRef("user"))
    due = SavedSearch.objects.filter(
        Exists(available), frequency=frequency, last_sent_at__lte=now - period
    ).select_related("user")
    sent = 0
    for search in due.iterator(chunk_size=200):
        claimed = SavedSearch.objects.filter(pk=search.pk, last_sent_at=search.last_sent_at).update(
            last_sent_at=now
        )
        if not claimed:
            continue
        projects = projects_matching(search, opened_after=search.last_sent_at, opened_until=now)
        if not projects:
            continue
        _mail(
            search.user,
            lambda search=search: _("New projects for “%(name)s”") % {"name": search.name},
            "projects/email/digest.txt",
            {
                "search": search,
                "projects": [(p, _absolute(p.get_absolute_url())) for p in projects],
                "search_url": _absolute(f"{reverse('projects:index')}?{search.query}"),
                "space_url": _absolute(reverse("projects:mine")),
            },
        )
        sent += 1
    return sent


# --- Reminders ----------------------------------------------------------------------------
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
        manage_url = _absolute(reverse("projects:manage", kwargs={"slug": project.slug}))
        for manager in project_managers(project):
            try:
                _mail(
                    manager,
                    lambda project=project: (
                        _("Applications are waiting for you on %(title)s")
                        % {"title": project.title}
                    ),
                    "projects/email/pending_reminder.txt",
                    {"project": project, "applications": applications, "manage_url": manage_url},
                )
            except Exception:  # one bad address must not cost the other leads their reminder
                logger.exception("Reminder to %s about %s not sent.", manager.pk, project.pk)
                continue
            sent += 1
    return sent


def ask_members_whether_they_continue(*, today=None):
    """A week before a member's expected end, ask them whether they go on; once per period.

    Each membership is claimed with a conditional UPDATE before its e-mail goes.
    """
    today = today or timezone.localdate()
    due = Membership.objects.filter(
        left_at__isnull=True,
        continuation_asked_at__isnull=True,
        volunteer__isnull=False,
        expected_end__gte=today,
        expected_end__lte=today + datetime.timedelta(days=CONTINUATION_NOTICE_DAYS),
    ).select_related("volunteer", "project")
    sent = 0
    space_url = _absolute(reverse("projects:mine"))
    for membership in due:
        claimed = Membership.objects.filter(
            pk=membership.pk, continuation_asked_at__isnull=True
        ).update(continuation_asked_at=timezone.now())
        if not claimed:
            continue
        _mail(
            membership.volunteer,
            lambda membership=membership: (
                _("Do you go on with %(title)s?") % {"title": membership.project.title}
            ),
            "projects/email/continue.txt",
            {"membership": membership, "project": membership.project, "space_url": space_url},
        )
        sent += 1
    return sent
