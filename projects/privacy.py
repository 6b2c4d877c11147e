"""What the backlog holds about a volunteer, for the RGPD export and account deletion."""

from django.utils import timezone

from .models import Application, Membership, Project, SavedSearch, TeamMessage, Update


def _date(value):
    return value.isoformat() if value else None


def export(user):
    """The volunteer's applications, memberships, news posts, messages to a team, ideas
    and saved searches."""
    return {
        "applications": [
            {
                "project": a.need.project.title,
                "role": str(a.need),
                "message": a.message,
                "status": a.status,
                "decline_reason": a.decline_reason,
                "decline_note": a.decline_note,
                "applied_at": _date(a.created_at),
                "decided_at": _date(a.decided_at),
            }
            for a in Application.objects.filter(volunteer=user).select_related(
                "need__project", "need__skill"
            )
        ],
        "memberships": [
            {
                "project": m.project.title,
                "role": m.role,
                "expected_end": _date(m.expected_end),
                "joined_at": _date(m.joined_at),
                "left_at": _date(m.left_at),
            }
            for m in Membership.objects.filter(volunteer=user).select_related("project")
        ],
        "updates": [
            {"project": u.project.title, "body": u.body, "posted_at": _date(u.created_at)}
            for u in Update.objects.filter(author=user).select_related("project")
        ],
        "team_messages": [
            {
                "project": m.project.title,
                "subject": m.subject,
                "body": m.body,
                "written_at": _date(m.created_at),
            }
            for m in TeamMessage.objects.filter(author=user).select_related("project")
        ],
        "proposed_projects": list(
            Project.objects.filter(proposed_by=user).values_list("title", flat=True)
        ),
        "saved_searches": [
            {"name": s.name, "filters": s.query, "frequency": s.frequency}
            for s in SavedSearch.objects.filter(user=user)
        ],
    }


def erase(user):
    """Delete the volunteer's applications, news posts, team messages and saved searches; end their
    memberships anonymously and remove them as lead or author of a project (the projects
    themselves belong to the reserve and stay)."""
    Application.objects.filter(volunteer=user).delete()
    Update.objects.filter(author=user).delete()
    TeamMessage.objects.filter(author=user).delete()
    SavedSearch.objects.filter(user=user).delete()
    Membership.objects.filter(volunteer=user, left_at__isnull=True).update(left_at=timezone.now())
    Membership.objects.filter(volunteer=user).update(volunteer=None)
    Project.objects.filter(lead=user).update(lead=None)
    Project.objects.filter(proposed_by=user).update(proposed_by=None)
