"""The volunteer directory as CSV, for the directory page and the admin action."""

import csv

from django.http import HttpResponse
from django.utils import timezone

from .selectors import directory

HEADER = [
    "name",
    "email",
    "phone",
    "departement",
    "region",
    "remote_only",
    "can_travel",
    "crisis_opt_in",
    "employer",
    "status",
    "skills",
    "availability",
    "projects",
    "callups",
]


def csv_safe(value):
    """Neutralise spreadsheet formulas typed into free text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if value[0] == "+" and value[1:].isdigit():  # a phone number in E.164 form
            return value
        return "'" + value
    return value


def _row(profile):
    return [
        profile.display_name,
        profile.user.email,
        profile.phone,
        profile.departement,
        profile.region,
        profile.remote_only,
        profile.can_travel,
        profile.crisis_opt_in,
        profile.employer,
        profile.status,
        "; ".join(f"{ps.skill.slug}:{ps.level}:{ps.intent}" for ps in profile.profile_skills.all()),
        "; ".join(
            f"{a.kind}:{a.starts_on}/{a.ends_on}:{a.hours_per_week}h"
            for a in profile.availabilities.all()
        ),
        profile.projects_count,
        profile.callups_count,
    ]


def directory_csv_response(profiles):
    """A CSV download of `profiles` (a Profile queryset, already filtered)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="reserve-volunteers-{stamp}.csv"'
    response.write("\ufeff")  # so that spreadsheets read the accents right
    writer = csv.writer(response)
    writer.writerow(HEADER)
    for profile in directory(profiles):
        writer.writerow([csv_safe(value) for value in _row(profile)])
    return response
