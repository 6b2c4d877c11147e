"""A project's team: members leave or go on, news posts, and the lead's messages to the
team."""

import datetime
import logging

from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reserve.queue import enqueue_on_commit
from volunteers.models import User

from ..models import (
    Membership,
    Project,
    TeamMessage,
    Update,
)
from .notices import absolute, notify

logger = logging.getLogger(__name__)

#: Members are asked whether they go on this many days before their expected end.
CONTINUATION_NOTICE_DAYS = 7
#: How long a membership is extended when the member goes on.
EXTENSION_WEEKS = 4


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
    message = TeamMessage.objects.create(project=project, author=author, subject=subject, body=body)
    enqueue_on_commit("projects.deliver_team_message", message.pk)
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
        "project_url": absolute(project.get_absolute_url()),
    }
    sent = 0
    with get_connection() as connection:
        for member in members:
            try:
                notify(
                    member,
                    "team_message",
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
    space_url = absolute(reverse("projects:mine"))
    for membership in due:
        claimed = Membership.objects.filter(
            pk=membership.pk, continuation_asked_at__isnull=True
        ).update(continuation_asked_at=timezone.now())
        if not claimed:
            continue
        notify(
            membership.volunteer,
            "continue",
            {"membership": membership, "project": membership.project, "space_url": space_url},
        )
        sent += 1
    return sent
