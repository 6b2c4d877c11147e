"""Every LightsOff write that spans rows or needs a transaction.

Views, the admin, tasks and the import command call these functions alike.
"""

import datetime
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import cells, geo, hours
from .models import ContactAction, ReporterSubscription, Shop, Sighting, VolunteerContactTask
from .selectors import SAME_SHOP_RADIUS_M, nearby_shops

# A report may name a known shop only if the pin is this close to it.
CHOSEN_SHOP_MAX_DISTANCE_M = 150
# Dark sightings after the last lit one that make a shop "resolved".
DARK_CHECKS_TO_RESOLVE = 2


def hash_ip(ip):
    """HMAC-SHA256 of an IP address with the secret key: comparable, not reversible."""
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def normalize_name(name):
    """ "  Boulangerie  DU Marché " and "boulangerie du marche" are the same name."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace("’", "'").split())


def _lock_key(*parts):
    digest = hashlib.blake2b(repr(("lightsoff",) + parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_area(lat, lng, osm_id):
    """Serialise reports that could be of the same shop (PostgreSQL; no-op elsewhere).

    Transaction-level advisory locks on the grid cells met by the matching circle, taken
    in sorted order, plus one on the OSM id. Chosen over select_for_update on a lock row
    because there is no row to lock before the shop exists (the race is on the INSERT),
    and a lock table would need a row per cell; advisory locks need no table and are
    released by the commit or rollback. SQLite serialises writers on its own.
    """
    if connection.vendor != "postgresql":
        return
    keys = [_lock_key("cell", x, y) for x, y in geo.lock_cells(lat, lng, SAME_SHOP_RADIUS_M)]
    if osm_id:
        keys.append(_lock_key("osm", osm_id))
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def find_same_shop(*, shop_name, lat, lng, osm_id=""):
    """The known shop a report is about: same OSM id, or same name within 30 m."""
    if osm_id:
        shop = Shop.objects.public().filter(osm_id=osm_id).first()
        if shop:
            return shop
    name = normalize_name(shop_name)
    for shop in nearby_shops(lat, lng, SAME_SHOP_RADIUS_M):
        if normalize_name(shop.name) == name:
            return shop
    return None


@dataclass
class Report:
    shop: Shop
    sighting: Sighting
    created_shop: bool


def report_sighting(
    *,
    shop_name="",
    lat,
    lng,
    shop=None,
    lit=True,
    seen_at=None,
    osm_id="",
    address="",
    postcode="",
    city="",
    category="",
    photo=None,
    reporter=None,
    ip="",
):
    """Record that a shop was seen lit (or dark) at night; create the shop if it is new.

    Guarantees, in one transaction:
    - no duplicate shop: a report within 30 m of a shop of the same name (or with the same
      OSM id) is a new sighting of that shop, even when fifty arrive at once (reports that
      could match each other are serialised by advisory locks, see `_lock_area`);
    - `shop` (the user picked it in "is it one of these?") must lie near the pin;
    - the shop's counts and status follow: a lit sighting of a resolved shop makes it
      relapsed, two dark sightings after the last lit one make it resolved;
    - subscribers are notified after commit when the shop becomes resolved.
    Raises ValidationError on coordinates out of range or a chosen shop too far away.
    """
    if not geo.valid_lat_lng(lat, lng):
        raise ValidationError(_("The position is outside the valid range."))
    lat, lng = round(float(lat), 6), round(float(lng), 6)
    seen_at = seen_at or timezone.now()
    with transaction.atomic():
        if shop is not None:
            if (
                geo.haversine_m(lat, lng, shop.latitude, shop.longitude)
                > CHOSEN_SHOP_MAX_DISTANCE_M
            ):
                raise ValidationError(_("This shop is too far from the pin."))
            created = False
        else:
            if not (shop_name or "").strip():
                raise ValidationError(_("Give the shop's name."))
            _lock_area(lat, lng, osm_id)
            shop = find_same_shop(shop_name=shop_name, lat=lat, lng=lng, osm_id=osm_id)
            created = shop is None
            if created:
                shop = Shop.objects.create(
                    name=shop_name.strip()[:160],
                    latitude=f"{lat:.6f}",
                    longitude=f"{lng:.6f}",
                    osm_id=osm_id,
                    address=address[:255],
                    postcode=postcode[:10],
                    city=city[:120],
                    category=category[:60],
                )
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        if not shop.address and address:
            shop.address, shop.postcode, shop.city = address[:255], postcode[:10], city[:120]
        sighting = Sighting.objects.create(
            shop=shop,
            lit=lit,
            seen_at=seen_at,
            photo=photo or "",
            reporter=reporter,
            ip_hash=hash_ip(ip),
        )
        previous = shop.status
        shop.sightings_count = shop.sightings.filter(is_hidden=False).count()
        _apply_sightings(shop)
        shop.save()
        if shop.status != previous and shop.status == Shop.Status.RESOLVED:
            _notify_after_commit(shop, "resolved")
        if shop.status != previous and shop.status == Shop.Status.RELAPSED:
            # Lit again: a later "switched off" or "contacted" is news worth telling again.
            shop.subscriptions.update(notified_status=Shop.Status.RELAPSED)
    return Report(shop, sighting, created)


def counts_as_dark_check(shop, seen_at):
    """A dark window counts towards "resolved" only when the law wants it dark."""
    return hours.legality(seen_at, shop.opening_hours).must_be_off


def night_of(moment):
    """The night a moment belongs to, named by its evening's date (local time)."""
    return (timezone.localtime(moment) - datetime.timedelta(hours=12)).date()


def _apply_sightings(shop):
    """Set status from the visible sightings (the shop row is locked by the caller)."""
    visible = shop.sightings.filter(is_hidden=False)
    last_lit = visible.filter(lit=True).order_by("-seen_at").values_list("seen_at", flat=True)
    shop.last_seen_lit_at = last_lit.first()
    dark_after = visible.filter(lit=False)
    if shop.last_seen_lit_at:
        dark_after = dark_after.filter(seen_at__gt=shop.last_seen_lit_at)
    # Resolved = seen dark when it must be off, on DARK_CHECKS_TO_RESOLVE different
    # nights: two clicks in a row, or a dark window at noon, prove nothing.
    checks = [
        seen_at
        for seen_at in dark_after.values_list("seen_at", flat=True)
        if counts_as_dark_check(shop, seen_at)
    ]
    if len({night_of(seen_at) for seen_at in checks}) >= DARK_CHECKS_TO_RESOLVE:
        if shop.status != Shop.Status.RESOLVED:
            shop.status = Shop.Status.RESOLVED
            # When it was seen switched off, not when it was typed in: a check dated
            # afterwards, lit, is a relapse; one dated before is not.
            shop.resolved_at = max(checks)
    elif shop.status == Shop.Status.RESOLVED:
        relit = (
            shop.last_seen_lit_at and shop.resolved_at and shop.last_seen_lit_at > shop.resolved_at
        )
        if relit:
            shop.status = Shop.Status.RELAPSED
        else:  # the checks that resolved it were hidden by a moderator
            shop.status = Shop.Status.CONTACTED if shop.contacts_count else Shop.Status.REPORTED
    elif shop.status == Shop.Status.REPORTED and shop.contacts_count:
        shop.status = Shop.Status.CONTACTED


def log_contact(*, shop, channel, done_at=None, actor=None, ip="", by_volunteer=False):
    """Log that someone made the shop aware ("I did it"); bump its contact count.

    One transaction: the action, the count (an F() update, safe under concurrency) and
    the status (reported or relapsed → contacted; resolved stays resolved).
    """
    if channel not in ContactAction.Channel.values:
        raise ValidationError(_("Choose how you contacted the shop."))
    now = timezone.now()
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        action = ContactAction.objects.create(
            shop=shop,
            channel=channel,
            done_at=done_at or now,
            actor=actor,
            ip_hash=hash_ip(ip),
            by_volunteer=by_volunteer,
        )
        shop.contacts_count = F("contacts_count") + 1
        if shop.status in (Shop.Status.REPORTED, Shop.Status.RELAPSED):
            shop.status = Shop.Status.CONTACTED
        if shop.contacted_at is None:
            shop.contacted_at = now
        shop.save(update_fields=["contacts_count", "status", "contacted_at", "updated_at"])
        shop.refresh_from_db(fields=["contacts_count"])
        if by_volunteer:
            _notify_after_commit(shop, "contacted")
    return action


def request_volunteer_contact(*, shop):
    """ "Do it for me": an open task for the reserve's volunteers; one per shop at a time.

    Idempotent: asking again while a task is open or taken returns that task.
    Returns (task, created).
    """
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        pending = shop.contact_tasks.filter(
            status__in=[VolunteerContactTask.Status.OPEN, VolunteerContactTask.Status.TAKEN]
        ).first()
        if pending:
            return pending, False
        return VolunteerContactTask.objects.create(shop=shop), True


def take_task(*, task, volunteer):
    """A volunteer claims an open task. The conditional update makes two volunteers
    clicking at once end with one owner; returns True for the one who got it."""
    return bool(
        VolunteerContactTask.objects.filter(
            pk=task.pk, status=VolunteerContactTask.Status.OPEN
        ).update(
            status=VolunteerContactTask.Status.TAKEN, volunteer=volunteer, taken_at=timezone.now()
        )
    )


def complete_task(*, task, volunteer, channel):
    """The volunteer who took the task contacted the shop: the task is done and the
    contact logged (by a volunteer: subscribers are told). Only the task's volunteer may
    complete it, once; returns the ContactAction or None."""
    with transaction.atomic():
        done = VolunteerContactTask.objects.filter(
            pk=task.pk, status=VolunteerContactTask.Status.TAKEN, volunteer=volunteer
        ).update(status=VolunteerContactTask.Status.DONE, done_at=timezone.now())
        if not done:
            return None
        return log_contact(shop=task.shop, channel=channel, actor=volunteer, by_volunteer=True)


# --- Reporter subscriptions ----------
CONFIRMATION_INTERVAL_S = 3600


def subscribe(*, shop, email):
    """Ask to be told about a shop. Sends the confirmation e-mail after commit (double
    opt-in); subscribing again re-sends it (once an hour at most) and re-activates an
    unsubscribed address."""
    from .tasks import send_subscription_confirmation

    email = email.strip().lower()
    with transaction.atomic():
        subscription, _created = ReporterSubscription.objects.get_or_create(shop=shop, email=email)
        if subscription.unsubscribed_at:
            subscription.unsubscribed_at = None
            subscription.confirmed_at = None
            subscription.save(update_fields=["unsubscribed_at", "confirmed_at"])
        # At most one confirmation an hour per address and shop: the form must not be a
        # way to flood someone's inbox.
        if not subscription.confirmed_at and cache.add(
            f"lightsoff:confirm:{subscription.pk}", 1, CONFIRMATION_INTERVAL_S
        ):
            transaction.on_commit(lambda: send_subscription_confirmation.delay(subscription.pk))
    return subscription


def confirm_subscription(*, token):
    """Second step of the opt-in. Idempotent. Returns the subscription or None."""
    subscription = ReporterSubscription.objects.filter(token=token).first()
    if subscription and not subscription.confirmed_at:
        ReporterSubscription.objects.filter(pk=subscription.pk, confirmed_at=None).update(
            confirmed_at=timezone.now(),
            unsubscribed_at=None,
            notified_status=subscription.shop.status,
        )
        subscription.refresh_from_db()
    return subscription


def unsubscribe(*, token):
    """One-click unsubscribe. Idempotent. Returns the subscription or None."""
    subscription = ReporterSubscription.objects.filter(token=token).first()
    if subscription and not subscription.unsubscribed_at:
        ReporterSubscription.objects.filter(pk=subscription.pk).update(
            unsubscribed_at=timezone.now()
        )
        subscription.refresh_from_db()
    return subscription


def _notify_after_commit(shop, event):
    from .tasks import notify_subscribers

    shop_id = shop.pk
    transaction.on_commit(lambda: notify_subscribers.delay(shop_id, event))


def claim_notification(subscription, event):
    """Claim the right to tell one subscriber about `event`; True at most once per event
    (a conditional update, so a task run twice or by two workers sends one e-mail)."""
    return bool(
        ReporterSubscription.objects.filter(
            pk=subscription.pk, confirmed_at__isnull=False, unsubscribed_at=None
        )
        .exclude(notified_status=event)
        .update(notified_status=event)
    )


# --- Moderation ----------
def merge_shops(*, target, duplicates):
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
    return len(others)


def recount(shop):
    """Recompute a shop's counts and status from its rows (after moderation)."""
    shop.sightings_count = shop.sightings.filter(is_hidden=False).count()
    shop.contacts_count = shop.contacts.filter(is_hidden=False).count()
    if shop.contacts_count and shop.status == Shop.Status.REPORTED:
        shop.status = Shop.Status.CONTACTED
    elif not shop.contacts_count and shop.status == Shop.Status.CONTACTED:
        shop.status = Shop.Status.REPORTED  # its only contacts were hidden as abuse
    _apply_sightings(shop)
    shop.save()


def set_sightings_hidden(*, sightings, hidden):
    """Hide (or show again) sightings and recount their shops, in one transaction."""
    with transaction.atomic():
        ids = [s.pk for s in sightings]
        Sighting.objects.filter(pk__in=ids).update(is_hidden=hidden)
        recount_shops(Sighting.objects.filter(pk__in=ids).values_list("shop_id", flat=True))
    return len(ids)


def set_contacts_hidden(*, contacts, hidden):
    """Hide (or show again) "I did it" entries and recount their shops, in one transaction."""
    with transaction.atomic():
        ids = [c.pk for c in contacts]
        ContactAction.objects.filter(pk__in=ids).update(is_hidden=hidden)
        recount_shops(ContactAction.objects.filter(pk__in=ids).values_list("shop_id", flat=True))
    return len(ids)


@transaction.atomic
def recount_shops(shop_ids):
    """Recount shops whose sightings or contacts a moderator changed (locked in pk
    order, so two moderators never deadlock)."""
    for shop in Shop.objects.select_for_update().filter(pk__in=set(shop_ids)).order_by("pk"):
        recount(shop)


# --- Import ----------
OSM_FIELDS = (
    "name",
    "address",
    "postcode",
    "city",
    "category",
    "opening_hours",
    "phone",
    "website",
    "email",
)


def import_osm_shops(*, records):
    """Create or update shops from OpenStreetMap records (dicts with osm_id, latitude,
    longitude and the OSM_FIELDS). Idempotent by osm_id; the status and counts of a
    shop already reported are kept. Returns (created, updated)."""
    created = updated = 0
    with transaction.atomic():
        by_osm = {
            shop.osm_id: shop
            for shop in Shop.objects.filter(osm_id__in=[r["osm_id"] for r in records])
        }
        new = []
        for record in records:
            # Cut to the columns' sizes: one long tag must not roll back the whole import.
            values = {
                field: str(record.get(field) or "")[: Shop._meta.get_field(field).max_length]
                for field in OSM_FIELDS
            }
            values["latitude"] = f"{float(record['latitude']):.6f}"
            values["longitude"] = f"{float(record['longitude']):.6f}"
            shop = by_osm.get(record["osm_id"])
            if shop is None:
                shop = Shop(osm_id=record["osm_id"], sightings_count=0, **values)
                by_osm[shop.osm_id] = shop
                new.append(shop)
                continue
            changed = False
            for field, value in values.items():
                if value and str(getattr(shop, field)) != str(value):
                    setattr(shop, field, value)
                    changed = True
            if changed and shop.pk:  # not a shop met earlier in the same file
                shop.save()
                updated += 1
        Shop.objects.bulk_create(new, batch_size=1000)
        created = len(new)
    return created, updated
