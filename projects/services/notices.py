"""Who hears of what on the backlog, and how: every e-mail of the projects app leaves
through `notify`, built by `reserve.emails` in the recipient's language."""

from django.conf import settings
from django.db.models import Q

from reserve import emails
from volunteers.models import COORDINATORS_GROUP, User

from ..models import Membership


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def notify(user, name, context, *, connection=None, reply_to=None):
    """Send the message `projects/email/<name>` to `user`, in their language."""
    emails.send(
        f"projects/email/{name}",
        user.email,
        {"user": user, **context},
        language=user.language,
        connection=connection,
        reply_to=reply_to,
    )


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
