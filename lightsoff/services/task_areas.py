"""Volunteers' task areas and their daily digest of new "do it for me" tasks.

A volunteer types a commune (name or postcode) and a radius; the commune's centre
(`Commune`, loaded by `load_communes`) is the centre of the area. Once a day a beat task
e-mails each volunteer the open tasks requested in their area since their last digest:
none, no e-mail; never two on the same day (Paris calendar).
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve import emails

from .. import geo
from ..communes import normalize_postcode
from ..hours import PARIS
from ..models import Commune, CommunePostcode, Shop, TaskArea, VolunteerContactTask

# The capitals a French commune's name may start with, by the letter typed without accent.
ACCENTED_CAPITALS = {"e": "ÉÈÊ", "a": "ÂÀ", "i": "Î", "o": "Ô", "u": "Û"}

MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 100


def _plain(text):
    """Lower case, no accents, hyphens as spaces: "Saint-Étienne" ≈ "saint etienne"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.replace("-", " ").replace("'", " ").lower().split())


def find_place(text):
    """(label, latitude, longitude) of the commune named or whose postcode is `text`.

    Raises ValidationError with a message for the reporter: unknown, ambiguous (several
    communes of that name: type the postcode), or a commune without a known centre.
    """
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError(_("Type a commune or a postcode."))
    postcode = normalize_postcode(text)
    if postcode:
        communes = [
            row.commune
            for row in CommunePostcode.objects.filter(postcode=postcode)
            .select_related("commune")
            .order_by("commune__name")
            if row.commune.latitude is not None
        ]
        if not communes:
            raise ValidationError(
                _("No commune is known with the postcode %(postcode)s."),
                params={"postcode": postcode},
            )
        # A postcode serving several villages: the first one's centre is close enough
        # for a radius of a few kilometres.
        commune = communes[0]
        return f"{postcode} {commune.name}", commune.latitude, commune.longitude
    wanted = _plain(text)
    # The name's first letter narrows the rows read, with its accented capitals (SQLite
    # folds only ASCII case: "evreux" must find "Évreux"); accents and hyphens are then
    # compared in Python.
    first = wanted[:1]
    heads = Q()
    for letter in {first, *ACCENTED_CAPITALS.get(first, "")}:
        heads |= Q(name__istartswith=letter)
    candidates = Commune.objects.filter(heads).exclude(latitude=None)
    matches = [c for c in candidates.iterator() if _plain(c.name) == wanted]
    if not matches:
        raise ValidationError(
            _("No commune is known by the name “%(name)s”. Try its postcode."),
            params={"name": text},
        )
    if len(matches) > 1:
        raise ValidationError(
            _("Several communes are named “%(name)s”: type its postcode instead."),
            params={"name": text},
        )
    commune = matches[0]
    return commune.name, commune.latitude, commune.longitude


def set_task_area(*, user, place, radius_km, digest=True):
    """Create or change the volunteer's area (one per user). A new area's first digest
    counts the tasks requested after it was created, not the whole backlog."""
    label, lat, lng = find_place(place)
    area, _created = TaskArea.objects.update_or_create(
        user=user,
        defaults={
            "place": label,
            "latitude": lat,
            "longitude": lng,
            "radius_km": radius_km,
            "digest": digest,
        },
    )
    return area


def open_tasks_in_area(area, *, since=None, until=None):
    """Open tasks on visible shops within the area, oldest first: a bounding-box query
    on the shops' indexed coordinates, then the exact distance."""
    radius_m = area.radius_km * 1000
    box = geo.bbox_around(area.latitude, area.longitude, radius_m)
    shops = Shop.objects.public().in_bbox(box)
    tasks = VolunteerContactTask.objects.filter(
        status=VolunteerContactTask.Status.OPEN, shop__in=shops
    ).select_related("shop")
    if since is not None:
        tasks = tasks.filter(requested_at__gt=since)
    if until is not None:
        tasks = tasks.filter(requested_at__lte=until)
    found = []
    for task in tasks.order_by("requested_at", "pk"):
        distance = geo.haversine_m(
            area.latitude, area.longitude, task.shop.latitude, task.shop.longitude
        )
        if distance <= radius_m:
            task.distance_km = distance / 1000
            found.append(task)
    return found


def _same_paris_day(a, b):
    return a.astimezone(PARIS).date() == b.astimezone(PARIS).date()


def send_task_digests(*, now=None):
    """E-mail each volunteer with an area the open tasks requested there since their last
    digest; returns the number of e-mails sent.

    Guarantees: no e-mail when there is no new task; at most one digest per volunteer
    per day (Paris calendar); each area is claimed by moving `last_digest_at` from the
    value read to `now` (a conditional UPDATE) before sending, so a second run, or a
    second worker, sends nothing twice.
    """
    now = now or timezone.now()
    areas = TaskArea.objects.filter(digest=True, user__is_active=True).select_related("user")
    sent = 0
    for area in areas.iterator(chunk_size=200):
        since = area.last_digest_at or area.created_at
        if area.last_digest_at and _same_paris_day(area.last_digest_at, now):
            continue
        tasks = open_tasks_in_area(area, since=since, until=now)
        if not tasks:
            continue
        with transaction.atomic():
            claimed = TaskArea.objects.filter(
                pk=area.pk, last_digest_at=area.last_digest_at
            ).update(last_digest_at=now)
        if not claimed:
            continue
        _send_digest(area, tasks)
        sent += 1
    return sent


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def _send_digest(area, tasks):
    user = area.user
    emails.send_quietly(
        "lightsoff/email/task_digest",
        user.email,
        {
            "user": user,
            "area": area,
            "tasks": [(task, _absolute(task.shop.get_absolute_url())) for task in tasks],
            # The settings are on the tasks page, behind the login: no token to leak.
            "tasks_url": _absolute(reverse("lightsoff:tasks")),
        },
        language=user.language or None,
    )
