"""Moderators' writes: merging duplicate shops, hiding sightings and contacts, recounts."""

from django.db import transaction

from volunteers import audit

from .. import cells
from ..models import (
    ContactAction,
    Referral,
    ReporterSubscription,
    Shop,
    Sighting,
    TownHallAction,
    VolunteerContactTask,
)
from .reports import apply_sightings


def merge_shops(*, target, duplicates, by=None):
    """Merge duplicate shops into `target`, in one transaction.

    Sightings, contacts, tasks and subscriptions move to the target; the duplicates are
    hidden and point at it (`merged_into`), so old links can redirect; counts, status and
    stage dates of the target are recomputed. Returns the number of shops merged.
    """
    duplicates = [shop for shop in duplicates if shop.pk != target.pk]
    if not duplicates:
        return 0
    ids = [shop.pk for shop in duplicates]
    with transaction.atomic():
        target = Shop.objects.select_for_update().get(pk=target.pk)
        others = list(Shop.objects.select_for_update().filter(pk__in=ids))
        Sighting.objects.filter(shop_id__in=ids).update(shop=target)
        ContactAction.objects.filter(shop_id__in=ids).update(shop=target)
        VolunteerContactTask.objects.filter(shop_id__in=ids).update(shop=target)
        # What was sent to a mairie, and what it did, stays with the shop that remains.
        Referral.objects.filter(shop_id__in=ids).update(shop=target)
        TownHallAction.objects.filter(shop_id__in=ids).update(shop=target)
        existing = set(target.subscriptions.values_list("email", flat=True))
        for subscription in ReporterSubscription.objects.filter(shop_id__in=ids):
            if subscription.email in existing:
                subscription.delete()
            else:
                subscription.shop = target
                subscription.save(update_fields=["shop"])
        Shop.objects.filter(pk__in=ids).update(is_hidden=True, merged_into=target)
        cells.refresh_positions((other.latitude, other.longitude) for other in others)
        for other in others:
            for field in (
                "address",
                "postcode",
                "city",
                "osm_id",
                "opening_hours",
                "phone",
                "website",
                "email",
                "category",
            ):
                if not getattr(target, field) and getattr(other, field):
                    setattr(target, field, getattr(other, field))
            for field in ("contacted_at",):
                values = [v for v in (getattr(target, field), getattr(other, field)) if v]
                setattr(target, field, min(values) if values else None)
        recount(target)
        for other in others:
            audit.record(
                by=by,
                action="lightsoff.merge",
                target=other,
                changes={"merged_into": [None, target]},
            )
        audit.record(
            by=by,
            action="lightsoff.merge",
            target=target,
            changes={"merged": [None, ", ".join(f"{o} (#{o.pk})" for o in others)]},
        )
    return len(others)


def recount(shop):
    """Recompute a shop's counts and status from its rows (after moderation)."""
    shop.sightings_count = shop.sightings.filter(is_hidden=False).count()
    shop.contacts_count = shop.contacts.filter(is_hidden=False).count()
    if shop.contacts_count and shop.status == Shop.Status.REPORTED:
        shop.status = Shop.Status.CONTACTED
    elif not shop.contacts_count and shop.status == Shop.Status.CONTACTED:
        shop.status = Shop.Status.REPORTED  # its only contacts were hidden as abuse
    apply_sightings(shop)
    shop.save()


def set_shops_hidden(*, shops, hidden, by=None):
    """Hide shops from the public (or show them again; a merged shop stays hidden), in
    one transaction with the map's cells and an audit row per shop that changed."""
    with transaction.atomic():
        changed = list(
            Shop.objects.select_for_update()
            .filter(pk__in=[shop.pk for shop in shops])
            .exclude(is_hidden=hidden)
        )
        if not hidden:
            changed = [shop for shop in changed if shop.merged_into_id is None]
        Shop.objects.filter(pk__in=[shop.pk for shop in changed]).update(is_hidden=hidden)
        cells.refresh_positions((shop.latitude, shop.longitude) for shop in changed)
        for shop in changed:
            audit.record(
                by=by,
                action="lightsoff.hide" if hidden else "lightsoff.show",
                target=shop,
                changes={"is_hidden": [not hidden, hidden]},
            )
    return len(changed)


def _record_visibility(rows, hidden, by):
    for row in rows:
        if row.is_hidden != hidden:
            audit.record(
                by=by,
                action="lightsoff.hide" if hidden else "lightsoff.show",
                target=row,
                changes={"is_hidden": [row.is_hidden, hidden]},
            )


def set_sightings_hidden(*, sightings, hidden, by=None):
    """Hide (or show again) sightings and recount their shops, in one transaction."""
    with transaction.atomic():
        ids = [s.pk for s in sightings]
        _record_visibility(Sighting.objects.filter(pk__in=ids), hidden, by)
        Sighting.objects.filter(pk__in=ids).update(is_hidden=hidden)
        recount_shops(Sighting.objects.filter(pk__in=ids).values_list("shop_id", flat=True))
    return len(ids)


def set_contacts_hidden(*, contacts, hidden, by=None):
    """Hide (or show again) "I did it" entries and recount their shops, in one transaction."""
    with transaction.atomic():
        ids = [c.pk for c in contacts]
        _record_visibility(ContactAction.objects.filter(pk__in=ids), hidden, by)
        ContactAction.objects.filter(pk__in=ids).update(is_hidden=hidden)
        recount_shops(ContactAction.objects.filter(pk__in=ids).values_list("shop_id", flat=True))
    return len(ids)


@transaction.atomic
def recount_shops(shop_ids):
    """Recount shops whose sightings or contacts a moderator changed (locked in pk
    order, so two moderators never deadlock)."""
    for shop in Shop.objects.select_for_update().filter(pk__in=set(shop_ids)).order_by("pk"):
        recount(shop)
