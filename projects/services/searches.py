"""Saved backlog searches and their digests."""

import datetime
import logging

from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from volunteers.models import Profile

from ..filters import ProjectFilter, clean_query
from ..models import (
    Project,
    SavedSearch,
)
from .notices import absolute, notify

DIGEST_PERIODS = {
    SavedSearch.Frequency.DAILY: datetime.timedelta(hours=23),
    SavedSearch.Frequency.WEEKLY: datetime.timedelta(days=6, hours=23),
}

logger = logging.getLogger(__name__)


def save_search(*, user, params, name, frequency=SavedSearch.Frequency.WEEKLY):
    """Save the current backlog filters; projects opened from now on go in the digest."""
    return SavedSearch.objects.create(
        user=user, name=name, query=clean_query(params), frequency=frequency
    )


def set_digest_frequency(*, search, frequency):
    """How often the digest of a saved search is sent."""
    search.frequency = frequency
    search.save(update_fields=["frequency"])
    return search


def delete_search(*, search):
    """Delete a saved search: no digest any more."""
    search.delete()


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
        notify(
            search.user,
            "digest",
            {
                "search": search,
                "projects": [(p, absolute(p.get_absolute_url())) for p in projects],
                "search_url": absolute(f"{reverse('projects:index')}?{search.query}"),
                "space_url": absolute(reverse("projects:mine")),
            },
        )
        sent += 1
    return sent
