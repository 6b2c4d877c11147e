"""What LightsOff holds about a volunteer: sightings and contacts made while logged in.

Registered with volunteers.privacy from LightsOffConfig.ready().
"""

from .models import ContactAction, Round, Sighting, VolunteerContactTask


def export(user):
    return {
        "sightings": [
            {
                "shop": s.shop.name,
                "shop_id": s.shop_id,
                "seen_at": s.seen_at.isoformat(),
                "lit": s.lit,
                "photo": s.photo.name or None,
            }
            for s in Sighting.objects.filter(reporter=user).select_related("shop")
        ],
        "contacts": [
            {
                "shop": c.shop.name,
                "shop_id": c.shop_id,
                "channel": c.channel,
                "done_at": c.done_at.isoformat(),
            }
            for c in ContactAction.objects.filter(actor=user).select_related("shop")
        ],
        "contact_tasks": [
            {
                "shop": t.shop.name,
                "status": t.status,
                "taken_at": t.taken_at.isoformat() if t.taken_at else None,
            }
            for t in VolunteerContactTask.objects.filter(volunteer=user).select_related("shop")
        ],
        "rounds": [
            {
                "planned_for": r.planned_for.isoformat(),
                "latitude": str(r.latitude),
                "longitude": str(r.longitude),
                "radius_m": r.radius_m,
            }
            for r in Round.objects.filter(volunteer=user)
        ],
    }


def erase(user):
    """Sightings and contacts stay as anonymous open data; the link to the person goes,
    and so do the photos they took (a photo may show them) and their rounds."""
    for sighting in Sighting.objects.filter(reporter=user).exclude(photo=""):
        sighting.photo.delete(save=False)
    Sighting.objects.filter(reporter=user).update(reporter=None, photo="")
    ContactAction.objects.filter(actor=user).update(actor=None)
    VolunteerContactTask.objects.filter(volunteer=user, status="taken").update(
        volunteer=None, status="open", taken_at=None
    )
    VolunteerContactTask.objects.filter(volunteer=user).update(volunteer=None)
    Round.objects.filter(volunteer=user).delete()
