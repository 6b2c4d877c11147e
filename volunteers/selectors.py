"""Reads about volunteers that the other apps reuse: "who matches", the directory.

`match_volunteers()` is the one question the call-ups (missions) and the project
recommendations (projects) ask. It returns a lazy queryset of Profile built from
EXISTS sub-queries, so evaluating it is one SQL query whatever the number of
volunteers, and callers can still filter, order, slice, count or annotate it.
"""

from allauth.account.models import EmailAddress
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .models import Availability, Profile, ProfileSkill, Skill, User
from .privacy import exported_sections


def _skill_ids(skills):
    """Accept Skill objects, ids or slugs (mixed): return the ids."""
    ids, slugs = [], []
    for skill in skills or ():
        if isinstance(skill, Skill):
            ids.append(skill.pk)
        elif isinstance(skill, int) or (isinstance(skill, str) and skill.isdigit()):
            ids.append(int(skill))
        else:
            slugs.append(skill)
    if slugs:
        ids.extend(Skill.objects.filter(slug__in=slugs).values_list("pk", flat=True))
    return ids


def match_volunteers(
    *,
    skills=(),
    match="any",
    min_level=1,
    regions=(),
    include_remote=True,
    period=None,
    crisis_opt_in=None,
):
    """Active volunteers matching every criterion given (an empty criterion is ignored).

    - `skills`: Skill objects, ids or slugs, offered at `min_level` or above; `match`
      is "any" (at least one) or "all".
    - `regions`: INSEE région codes; volunteers who can travel are included, and the
      remote-only ones too when `include_remote`.
    - `period`: a (start, end) pair of dates; the volunteer has an availability
      overlapping it and no unavailability within it.
    - `crisis_opt_in`: True keeps only the volunteers reachable for call-ups (opted in,
      with a usable channel), False only those who did not opt in, None both.

    Paused (until their pause ends), archived and deactivated accounts never match.
    The result is a queryset of Profile with the user joined (one query).
    """
    if match not in ("any", "all"):
        raise ValueError(f"match must be 'any' or 'all', not {match!r}")
    qs = Profile.objects.active()
    if crisis_opt_in is True:
        qs = qs.reachable_for_crises()
    elif crisis_opt_in is False:
        qs = qs.filter(crisis_opt_in=False)
    skill_ids = _skill_ids(skills)
    if skills and not skill_ids:
        return qs.none()  # unknown slugs: nobody has them
    qs = qs.with_skills(skill_ids, match=match, min_level=min_level)
    if regions:
        qs = qs.in_regions(list(regions), include_remote=include_remote)
    elif include_remote is False:
        qs = qs.filter(remote_only=False)
    if period:
        start, end = period
        qs = qs.available_between(start, end)
    return qs.select_related("user")


def _count_of(relation, **filters):
    """A correlated sub-query counting, for one profile, the rows reached through its user."""
    from django.db.models import IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    counted = (
        User.objects.filter(pk=OuterRef("user_id"))
        .annotate(n=Count(relation, filter=Q(**filters) if filters else None, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_participation(qs):
    """Annotate profiles with `projects_count` and `callups_count` (accepted call-ups).

    Counted through the reverse relations by name (projects.Membership as
    `user.memberships`, missions.Alert as `user.alerts`), so volunteers imports neither.
    Correlated sub-queries rather than joins: PostgreSQL computes them only for the rows
    of the page shown, not for the 100,000 profiles behind it.
    """
    return qs.annotate(
        projects_count=_count_of("memberships__project"),
        callups_count=_count_of("alerts", alerts__response="accepted"),
    )


def directory(filters_qs=None):
    """The coordinators' directory: profiles with skills, periods and participation counts.

    One query for a page of rows, one per prefetch, whatever the number of profiles.
    """
    qs = filters_qs if filters_qs is not None else Profile.objects.all()
    return (
        with_participation(qs.select_related("user"))
        .prefetch_related(
            Prefetch(
                "profile_skills",
                queryset=ProfileSkill.objects.select_related("skill").order_by("-level"),
            ),
            Prefetch("availabilities", queryset=Availability.objects.order_by("starts_on")),
        )
        .order_by("display_name", "pk")
    )


def profile_for_owner(user):
    """The volunteer's own profile with everything the space and the edit page show."""
    return (
        Profile.objects.select_related("user")
        .prefetch_related(
            Prefetch(
                "profile_skills",
                queryset=ProfileSkill.objects.select_related("skill").order_by(
                    "skill__family", "skill__name"
                ),
            ),
            "availabilities",
        )
        .get(user=user)
    )


def personal_data(user):
    """Everything the platform holds about `user`, JSON-serialisable (the RGPD export).

    The volunteers app's own data, then one section per app registered in
    volunteers.privacy (memberships, applications, call-up alerts, LightsOff reports…).
    """
    profile = profile_for_owner(user)
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("email")
            ],
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "language": user.language,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        },
        "profile": {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "tags": profile.tags,
            "languages": profile.languages,
            "departement": profile.departement,
            "region": profile.region,
            "remote_only": profile.remote_only,
            "can_travel": profile.can_travel,
            "crisis_opt_in": profile.crisis_opt_in,
            "alert_by_email": profile.alert_by_email,
            "alert_by_sms": profile.alert_by_sms,
            "phone": profile.phone,
            "quiet_hours": [
                profile.quiet_hours_start.isoformat(),
                profile.quiet_hours_end.isoformat(),
            ],
            "employer": profile.employer,
            "links": {
                "github": profile.github_url,
                "linkedin": profile.linkedin_url,
                "portfolio": profile.portfolio_url,
            },
            "status": profile.status,
            "paused_until": profile.paused_until.isoformat() if profile.paused_until else None,
            "privacy_notice_version": profile.consent_version,
            "consented_at": profile.consented_at.isoformat() if profile.consented_at else None,
            "onboarding_completed_at": (
                profile.onboarding_completed_at.isoformat()
                if profile.onboarding_completed_at
                else None
            ),
            "created_at": profile.created_at.isoformat(),
            "skills": [
                {
                    "skill": ps.skill.slug,
                    "name": ps.skill.name,
                    "level": ps.level,
                    "intent": ps.intent,
                }
                for ps in profile.profile_skills.all()
            ],
            "availabilities": [
                {
                    "kind": a.kind,
                    "starts_on": a.starts_on.isoformat(),
                    "ends_on": a.ends_on.isoformat(),
                    "hours_per_week": a.hours_per_week,
                    "note": a.note,
                }
                for a in profile.availabilities.all()
            ],
        },
        **exported_sections(user),
    }


def visible_profile(*, viewer, profile_id):
    """A profile as `viewer` may see it, or None.

    Coordinators see every profile; a volunteer sees their own and those of the people
    they work with on a project (a current membership in common, via projects'
    `user.memberships`); anybody else sees nothing.
    """
    qs = Profile.objects.select_related("user").prefetch_related(
        Prefetch("profile_skills", queryset=ProfileSkill.objects.select_related("skill"))
    )
    if not viewer.is_authenticated:
        return None
    if viewer.is_coordinator or Profile.objects.filter(pk=profile_id, user=viewer).exists():
        return qs.filter(pk=profile_id).first()
    return (
        qs.filter(
            pk=profile_id,
            anonymised_at__isnull=True,
            user__memberships__left_at__isnull=True,
            user__memberships__project__memberships__volunteer=viewer,
            user__memberships__project__memberships__left_at__isnull=True,
        )
        .distinct()
        .first()
    )
