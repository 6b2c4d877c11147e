"""The projects' block of the admin dashboard (reserve.dashboard): ideas to qualify."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from reserve.dashboard import Entry, register_block

from .models import Project


def ideas_to_qualify(request):
    """Proposed ideas nobody has looked at, and those being qualified (one query)."""
    counts = Project.objects.aggregate(
        ideas=Count("pk", filter=Q(status=Project.Status.IDEA)),
        qualifying=Count("pk", filter=Q(status=Project.Status.QUALIFYING)),
    )
    changelist = reverse("admin:projects_project_changelist")
    entries = []
    if counts["ideas"]:
        entries.append(
            Entry(
                text=ngettext(
                    "%(count)s proposed idea waits for qualification",
                    "%(count)s proposed ideas wait for qualification",
                    counts["ideas"],
                )
                % {"count": counts["ideas"]},
                url=f"{changelist}?status__exact={Project.Status.IDEA}",
                count=counts["ideas"],
            )
        )
    if counts["qualifying"]:
        entries.append(
            Entry(
                text=ngettext(
                    "%(count)s project is being qualified",
                    "%(count)s projects are being qualified",
                    counts["qualifying"],
                )
                % {"count": counts["qualifying"]},
                url=f"{changelist}?status__exact={Project.Status.QUALIFYING}",
                count=counts["qualifying"],
            )
        )
    return entries


register_block(
    "projects.qualification",
    title=gettext_lazy("Ideas to qualify"),
    permissions=["projects.view_project"],
    entries=ideas_to_qualify,
    order=30,
    empty=gettext_lazy("No idea waits for qualification."),
)
