"""What LightsOff holds about a volunteer: sightings and contacts made while logged in.

Registered with volunteers.privacy from LightsOffConfig.ready().
"""

from .models import ContactAction, Round, ShopMessage, Sighting, VolunteerContactTask


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
        # Messages the platform sent to shops at the user's request (not the shop's
        # address or number: those are the shop's, not the user's).
        "platform_messages": [
            {
                "shop": m.shop.name,
                "shop_id": m.shop_id,
                "channel": m.channel,
                "status": m.status,
                "requested_at": m.requested_at.isoformat(),
            }
            for m in ShopMessage.objects.filter(requested_by=user).select_related("shop")
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
    ShopMessage.objects.filter(requested_by=user).update(requested_by=None)
    Round.objects.filter(volunteer=user).delete()
