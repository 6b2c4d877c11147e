"""Opening hours (OpenStreetMap's `opening_hours`) and the night-time rule for shop windows.

The arrêté du 27 décembre 2018 (article 2): shop windows are switched off at 1 h at the
latest, or one hour after the activity ends if it ends later; switched on at 7 h at the
earliest, or one hour before the activity starts if it starts earlier.

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


def legality(moment, opening_hours="", coords=None):
    """Must a shop window be dark at `moment` (an aware datetime, read on Paris time)?"""
    moment = moment.astimezone(PARIS)
    # The night holding `moment`: its 1 h falls on `night`; it runs from noon to noon.
    night = moment.date() if moment.hour < 12 else moment.date() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(night, datetime.time(0), tzinfo=PARIS)
    noon_before = midnight - datetime.timedelta(hours=12)
    noon_after = midnight + datetime.timedelta(hours=12)
    off_from = midnight + datetime.timedelta(hours=constants.LIGHTS_OFF_FROM_HOUR)
    on_from = midnight + datetime.timedelta(hours=constants.LIGHTS_ON_FROM_HOUR)
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
