"""Opening hours (OpenStreetMap's `opening_hours`) and the night-time rules for shops.

Shop windows and interior lighting, arrêté du 27 décembre 2018 (article 2): switched off
at 1 h at the latest, or one hour after the activity ends if it ends later; switched on at
7 h at the earliest, or one hour before the activity starts if it starts earlier.
Illuminated signs, code de l'environnement R581-59: off between 1 h and 6 h when the
activity has ceased; an activity ending or starting between midnight and 7 h moves those
bounds by the same one hour. Both lit: the windows' rule, the wider one, applies.

The tag is read by opening-hours-py (the Rust `opening-hours` crate), which knows the whole
OSM grammar: week and month ranges, public holidays (the French calendar: 14 July,
25 December…), "24/7", sunrise/sunset, fallbacks. A value it cannot read, or a night it
says is "unknown", is unknown hours: the plain 1 h–7 h rule applies and the page says so.
"""

import datetime
import functools
import zoneinfo
from dataclasses import dataclass

from opening_hours import OpeningHours, ParserError, State

from . import constants

# Shops are in metropolitan France: the rule's hours are read on Paris clocks, whatever
# time zone the request runs in, and PH means the French public holidays.
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
COUNTRY = "FR"


@functools.lru_cache(maxsize=4096)
def parse_opening_hours(value, coords=None):
    """The `opening_hours` tag as an `opening_hours.OpeningHours` on Paris time with French
    public holidays (`.is_open(dt)`, `.state(dt)`, `.next_change(dt)`, `.intervals(a, b)`),
    or None when the value is empty or not valid OSM syntax ("Mo-Sa 9h-19h").

    `coords` (latitude, longitude) makes sunrise/sunset exact for the place; without them
    the library takes 7 h and 19 h. Cached: the same few values come back for every shop.
    """
    value = (value or "").strip()
    if not value:
        return None
    kwargs = {"timezone": PARIS, "country": COUNTRY}
    if coords is not None:
        # Time zone and country are given: the coordinates place the sun. (With
        # auto_timezone/auto_country off, the library would ignore them.)
        kwargs["coords"] = (float(coords[0]), float(coords[1]))
    try:
        return OpeningHours(value, **kwargs)
    except (ParserError, SyntaxError, ValueError):
        return None


def is_open(value, moment, coords=None):
    """True / False, or None when the hours are unknown (unreadable, or "unknown" then)."""
    hours = parse_opening_hours(value, coords)
    if hours is None:
        return None
    state, _comment = hours.state(moment.astimezone(PARIS))
    if state == State.UNKNOWN:
        return None
    return state == State.OPEN


@dataclass(frozen=True)
class Legality:
    """What the rule says at one moment for one shop."""

    must_be_off: bool
    is_open: bool
    off_from: datetime.datetime
    on_from: datetime.datetime
    uses_opening_hours: bool

    @property
    def dark_hours(self):
        """How long the windows must be dark that night, in hours (0 when never)."""
        return max(0.0, (self.on_from - self.off_from).total_seconds() / 3600)


def _open_spans(hours, start, end):
    """The open intervals between start and end, or None if part of it is unknown."""
    spans = []
    for span_start, span_end, state, _comment in hours.intervals(start, end):
        if state == State.UNKNOWN:
            return None
        if state == State.OPEN:
            spans.append((max(span_start, start), min(span_end, end)))
    return spans


def lights_on_from_hour(kind=None):
    """The hour from which the lights may be on again, by what was lit."""
    if kind == constants.LIT_SIGN:
        return constants.SIGN_LIGHTS_ON_FROM_HOUR
    return constants.LIGHTS_ON_FROM_HOUR


def legality(moment, opening_hours="", coords=None, *, kind=None):
    """Must the shop's lights be dark at `moment` (an aware datetime, read on Paris time)?

    `kind` is what was lit (constants.LIT_WINDOW, LIT_SIGN, LIT_BOTH); None or unknown
    means the windows' rule.
    """
    moment = moment.astimezone(PARIS)
    # The night holding `moment`: its 1 h falls on `night`; it runs from noon to noon.
    night = moment.date() if moment.hour < 12 else moment.date() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(night, datetime.time(0), tzinfo=PARIS)
    noon_before = midnight - datetime.timedelta(hours=12)
    noon_after = midnight + datetime.timedelta(hours=12)
    off_from = midnight + datetime.timedelta(hours=constants.LIGHTS_OFF_FROM_HOUR)
    on_from = midnight + datetime.timedelta(hours=lights_on_from_hour(kind))
    grace = datetime.timedelta(hours=constants.GRACE_HOURS)

    hours = parse_opening_hours(opening_hours, coords)
    spans = _open_spans(hours, noon_before, noon_after) if hours is not None else None
    known = spans is not None
    is_open = False
    if known:
        is_open = any(start <= moment < end for start, end in spans)
        # The evening's activity: what opened before midnight; it may run past it.
        closings = [end for start, end in spans if start < midnight]
        if closings and max(closings) + grace > off_from:
            off_from = max(closings) + grace
        # The morning's activity: what opens after midnight.
        openings = [start for start, end in spans if start >= midnight]
        if openings and min(openings) - grace < on_from:
            on_from = min(openings) - grace
    must_be_off = off_from <= moment < on_from and not is_open
    return Legality(must_be_off, is_open, off_from, on_from, known)


def mean_dark_hours(opening_hours="", coords=None, *, kind=None, start=None, nights=7):
    """(hours, known): the mean time the lights must be dark per night over a week from
    `start` (a date; default today in Paris), and whether the opening hours were read.

    A week, because a shop closed on Sunday must be dark for longer that night."""
    start = start or datetime.datetime.now(PARIS).date()
    total, known = 0.0, True
    for k in range(nights):
        day = start + datetime.timedelta(days=k + 1)
        at = datetime.datetime.combine(day, datetime.time(3), tzinfo=PARIS)
        rule = legality(at, opening_hours, coords, kind=kind)
        total += rule.dark_hours
        known = known and rule.uses_opening_hours
    return total / nights, known
