"""Opening hours (the common OpenStreetMap forms) and the night-time rule for shop windows.

The arrêté du 27 décembre 2018 (article 2): shop windows are switched off at 1 h at the
latest, or one hour after the activity ends if it ends later; switched on at 7 h at the
earliest, or one hour before the activity starts if it starts earlier.
"""

import datetime
import re
from dataclasses import dataclass

from . import constants

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_TIME = r"(\d{1,2}):(\d{2})"
_RANGE = re.compile(rf"^{_TIME}\s*-\s*{_TIME}$")


def _minutes(hours, minutes):
    return int(hours) * 60 + int(minutes)


def _days(spec):
    """ "Mo-Fr,Su" → {0, 1, 2, 3, 4, 6}; None when not understood."""
    days = set()
    for part in spec.split(","):
        part = part.strip()
        if "-" in part:
            first, last = (p.strip() for p in part.split("-", 1))
            if first not in DAYS or last not in DAYS:
                return None
            i, j = DAYS.index(first), DAYS.index(last)
            days.update(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in DAYS:
            days.add(DAYS.index(part))
        else:
            return None
    return days


def parse_opening_hours(value):
    """Parse the usual forms of the OSM `opening_hours` tag.

    Returns {weekday: [(start_minute, end_minute), …]} with Monday = 0 and an end past
    midnight written above 1440 ("Fr 18:00-02:00" → (1080, 1560)); None when the value is
    empty or uses a form this small parser does not know (then the plain 1 h–7 h applies).
    Understood: "24/7", "Mo-Sa 09:00-19:00", "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00",
    "Mo,We,Fr 09:00-18:00", "Su off", a rule without days ("09:00-18:00" = every day).
    "PH …" (public holiday) rules are ignored.
    """
    value = (value or "").strip()
    if not value:
        return None
    if value == "24/7":
        return {day: [(0, 1440)] for day in range(7)}
    week = {day: [] for day in range(7)}
    for rule in value.split(";"):
        rule = rule.strip()
        if not rule or rule.startswith("PH"):
            continue
        head, _, rest = rule.partition(" ")
        if re.match(r"^\d", head):
            days, times = set(range(7)), rule
        else:
            days, times = _days(head), rest.strip()
            if days is None:
                return None
        if times in ("off", "closed"):
            for day in days:
                week[day] = []
            continue
        spans = []
        for span in times.split(","):
            match = _RANGE.match(span.strip())
            if not match:
                return None
            start = _minutes(*match.group(1, 2))
            end = _minutes(*match.group(3, 4))
            if start > 1440 or end > 1440:
                return None
            if end <= start:
                end += 1440
            spans.append((start, end))
        for day in days:
            week[day] = spans
    return week


@dataclass(frozen=True)
class Legality:
    """What the rule says at one moment for one shop."""

    must_be_off: bool
    is_open: bool
    off_from: datetime.datetime
    on_from: datetime.datetime
    uses_opening_hours: bool


def _is_open(week, moment):
    minute = moment.hour * 60 + moment.minute
    today, yesterday = moment.weekday(), (moment.weekday() - 1) % 7
    if any(start <= minute < end for start, end in week[today]):
        return True
    # A span of the day before that runs past midnight.
    return any(start <= minute + 1440 < end for start, end in week[yesterday])


def legality(moment, opening_hours=""):
    """Must a shop window be dark at `moment` (an aware datetime, read in local time)?"""
    from django.utils import timezone

    moment = timezone.localtime(moment)
    tz = moment.tzinfo
    # The night holding `moment`: its 1 h falls on `night`.
    night = moment.date() if moment.hour < 12 else moment.date() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(night, datetime.time(0), tzinfo=tz)
    off_from = midnight + datetime.timedelta(hours=constants.LIGHTS_OFF_FROM_HOUR)
    on_from = midnight + datetime.timedelta(hours=constants.LIGHTS_ON_FROM_HOUR)
    grace = datetime.timedelta(hours=constants.GRACE_HOURS)
    week = parse_opening_hours(opening_hours)
    is_open = False
    if week is not None:
        is_open = _is_open(week, moment)
        evening = (night.weekday() - 1) % 7
        closings = [
            midnight - datetime.timedelta(days=1) + datetime.timedelta(minutes=end)
            for start, end in week[evening]
            if end > 12 * 60
        ]
        if closings and max(closings) + grace > off_from:
            off_from = max(closings) + grace
        openings = [
            midnight + datetime.timedelta(minutes=start)
            for start, end in week[night.weekday()]
            if start < 12 * 60
        ]
        if openings and min(openings) - grace < on_from:
            on_from = min(openings) - grace
    must_be_off = off_from <= moment < on_from and not is_open
    return Legality(must_be_off, is_open, off_from, on_from, week is not None)
