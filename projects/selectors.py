"""Reads of the backlog, the project page and the volunteer's space, queries included.

Every function here fetches what its page shows in a fixed number of queries, whatever
the number of projects, needs or members (tests assert it).
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers.models import Availability, ProfileSkill

from .filters import ProjectFilter
from .models import Application, Membership, Need, Project, SavedSearch, Update

PAGE_SIZE = 20


@dataclass
class VolunteerFit:
    """What the "for you" ordering knows of a volunteer: skills offered, hours available."""

    skills: dict = field(default_factory=dict)  # {skill_id: localized name}
    hours_per_week: int | None = None

    def explain(self, project):
        """A word on why a project suits the volunteer ("matches your skills: design")."""
        needs = getattr(project, "open_needs", [])
        names = sorted({self.skills[n.skill_id] for n in needs if n.skill_id in self.skills})
        reasons = []
        if names:
            reasons.append(_("matches your skills: %(skills)s") % {"skills": ", ".join(names)})
        if self.hours_per_week and any(n.hours_per_week <= self.hours_per_week for n in needs):
            reasons.append(_("fits your %(hours)s h a week") % {"hours": self.hours_per_week})
        return " · ".join(reasons)


def volunteer_fit(user):
    """The volunteer's offered skills and the hours a week they are available this month."""
    rows = ProfileSkill.objects.filter(
        profile__user=user, intent=ProfileSkill.Intent.OFFERED
    ).select_related("skill")
    today = timezone.localdate()
    hours = Availability.objects.filter(
        profile__user=user,
        kind=Availability.Kind.AVAILABLE,
        ends_on__gte=today,
        starts_on__lte=today + datetime.timedelta(days=30),
    ).aggregate(hours=Max("hours_per_week"))["hours"]
    return VolunteerFit(
        skills={r.skill_id: r.skill.localized_name for r in rows}, hours_per_week=hours
    )


def _open_needs():
    return Prefetch(
        "needs",
        queryset=Need.objects.filter(is_open=True).select_related("skill").order_by("pk"),
        to_attr="open_needs",
    )


def order_for(queryset, fit):
    """Projects needing more of the volunteer's skills first, then those fitting their hours."""
    skill_matches = (
        Need.objects.filter(project=OuterRef("pk"), is_open=True, skill_id__in=list(fit.skills))
        .values("project")
        .annotate(n=Count("skill", distinct=True))
        .values("n")
    )
    queryset = queryset.annotate(
        skill_matches=Coalesce(Subquery(skill_matches, output_field=IntegerField()), Value(0))
    )
    ordering = ["-skill_matches"]
    if fit.hours_per_week:
        fitting = Need.objects.filter(
            project=OuterRef("pk"), is_open=True, hours_per_week__lte=fit.hours_per_week
        )
        queryset = queryset.annotate(fits_hours=Exists(fitting))
        ordering.append("-fits_hours")
    return queryset.order_by(*ordering, F("opened_at").desc(nulls_last=True), "-created_at")


@dataclass
class Backlog:
    filterset: ProjectFilter
    page: object
    for_you: bool
    reasons: dict  # {project id: a word on why it suits the volunteer}


def backlog(params, *, user, page_number=None):
    """The filtered, paginated backlog; "for you", when a volunteer asks for it: only the
    projects they can join, those that need their skills and fit their hours first."""
    base = Project.objects.visible().only(
        "id",
        "title",
        "slug",
        "pitch",
        "theme",
        "status",
        "remote",
        "place",
        "expected_weeks",
        "opened_at",
        "created_at",
    )
    filterset = ProjectFilter(params, queryset=base)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    fit = None
    for_you = user.is_authenticated and params.get("order") == "for_you"
    if for_you:
        # A recommendation is a project one can still join: never a delivered one.
        fit = volunteer_fit(user)
        queryset = order_for(queryset.recruiting(), fit)
    else:
        queryset = queryset.order_by(F("opened_at").desc(nulls_last=True), "-created_at")
    page = Paginator(queryset.prefetch_related(_open_needs()), PAGE_SIZE).get_page(page_number)
    reasons = {}
    if fit is not None:
        reasons = {p.pk: fit.explain(p) for p in page.object_list}
    return Backlog(filterset=filterset, page=page, for_you=for_you, reasons=reasons)


def project_page(slug):
    """A project with all its page shows: needs, active team, partners, latest updates."""
    return (
        Project.objects.visible()
        .select_related("qualification", "handed_over_to", "lead__profile")
        .prefetch_related(
            Prefetch(
                "needs",
                queryset=Need.objects.select_related("skill").order_by("-is_open", "pk"),
            ),
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(left_at__isnull=True, volunteer__isnull=False)
                .select_related("volunteer__profile", "need__skill")
                .order_by("role", "joined_at"),
                to_attr="team",
            ),
            "partners",
            Prefetch(
                "updates",
                queryset=Update.objects.select_related("author__profile").order_by("-created_at"),
                to_attr="latest_updates",
            ),
        )
        .get(slug=slug)
    )


def applied_need_ids(user, project):
    """Needs of `project` the volunteer already applied for (whatever the outcome)."""
    if not user.is_authenticated:
        return set()
    return set(
        Application.objects.filter(volunteer=user, need__project=project).values_list(
            "need_id", flat=True
        )
    )


def management_page(project):
    """The needs of a project with their applications, for its lead's space."""
    applications = Application.objects.select_related("volunteer__profile").order_by(
        "status", "created_at"
    )
    needs = (
        Need.objects.filter(project=project)
        .select_related("skill")
        .prefetch_related(Prefetch("applications", queryset=applications))
        .annotate(members=Count("membership", filter=Q(membership__left_at__isnull=True)))
        .order_by("-is_open", "pk")
    )
    team = (
        Membership.objects.filter(project=project, left_at__isnull=True, volunteer__isnull=False)
        .select_related("volunteer__profile", "need__skill")
        .order_by("role", "joined_at")
    )
    return needs, team


def volunteer_space(user):
    """A volunteer's applications, memberships, projects led and saved searches."""
    applications = (
        Application.objects.filter(volunteer=user)
        .select_related("need__project", "need__skill")
        .order_by("-created_at")
    )
    memberships = (
        Membership.objects.filter(volunteer=user)
        .select_related("project", "need__skill")
        .order_by(F("left_at").desc(nulls_first=True), "-joined_at")
    )
    pending = (
        Application.objects.filter(need__project=OuterRef("pk"), status=Application.Status.PENDING)
        .values("need__project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    lead_roles = Membership.objects.filter(
        project=OuterRef("pk"), volunteer=user, role=Membership.Role.LEAD, left_at__isnull=True
    )
    led = (
        Project.objects.filter(Q(lead=user) | Exists(lead_roles))
        .exclude(status=Project.Status.ARCHIVED)
        .annotate(pending=Coalesce(Subquery(pending, output_field=IntegerField()), Value(0)))
    )
    return {
        "applications": list(applications),
        "memberships": list(memberships),
        "led_projects": list(led.order_by("-created_at")),
        "saved_searches": list(SavedSearch.objects.filter(user=user)),
    }
