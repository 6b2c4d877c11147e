"""A volunteer's call-up data: export and erasure (RGPD), and their calendar feed."""

import uuid

from volunteers.models import Availability

from ..models import Alert, CalendarFeed


def export_volunteer_data(user):
    return [
        {
            "call_up": alert.mobilization.title,
            "crisis": alert.mobilization.crisis.title,
            "starts_at": alert.mobilization.starts_at.isoformat(),
            "ends_at": alert.mobilization.ends_at.isoformat(),
            "wave": alert.wave,
            "channel": alert.channel,
            "status": alert.status,
            "sent_at": alert.sent_at.isoformat() if alert.sent_at else None,
            "answer": alert.response,
            "answered_at": alert.responded_at.isoformat() if alert.responded_at else None,
        }
        for alert in Alert.objects.filter(volunteer=user).select_related(
            "mobilization", "mobilization__crisis"
        )
    ]


def erase_volunteer_data(user):
    """Detach the volunteer from their alerts (counts stay right) and drop their feed."""
    alert_ids = list(Alert.objects.filter(volunteer=user).values_list("pk", flat=True))
    Availability.objects.filter(source__in=[f"missions.alert:{pk}" for pk in alert_ids]).delete()
    for pk in alert_ids:
        Alert.objects.filter(pk=pk).update(
            volunteer=None, token=uuid.uuid4().hex + uuid.uuid4().hex, last_error=""
        )
    CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_for(user):
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed
