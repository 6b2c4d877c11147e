"""The iCalendar feed of a volunteer's accepted call-ups."""

from django.urls import reverse
from icalendar import Calendar, Event

from reserve.sites import absolute_url

from . import selectors


def accepted_callups_ics(user):
    cal = Calendar()
    cal.add("prodid", "-//Réserve//Call-ups//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Réserve")
    for alert in selectors.accepted_callups(user):
        mobilization = alert.mobilization
        event = Event()
        event.add("uid", f"alert-{alert.pk}@reserve")
        event.add("summary", mobilization.title)
        event.add("description", mobilization.ask)
        event.add("dtstart", mobilization.starts_at)
        event.add("dtend", mobilization.ends_at)
        event.add("dtstamp", alert.responded_at or mobilization.starts_at)
        # The volunteer's own page, not the answer link: a shared calendar must not let
        # others decline or unsubscribe in their name.
        event.add("url", absolute_url(reverse("missions:mine")))
        cal.add_component(event)
    return cal.to_ical()
