"""A citizen's report: the same shop found again (never a duplicate), the sighting
recorded, and the shop's status recomputed from its sightings."""

import datetime
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve.queue import enqueue_on_commit

from .. import geo, hours
from ..communes import commune_for
from ..models import Shop, Sighting
from ..selectors import SAME_SHOP_RADIUS_M, nearby_shops
from .subscriptions import notify_after_commit

REFER_SHOP = "lightsoff.tasks.refer_shop"

# A report may name a known shop only if the pin is this close to it.
CHOSEN_SHOP_MAX_DISTANCE_M = 150
# Dark sightings after the last lit one that make a shop "resolved".
DARK_CHECKS_TO_RESOLVE = 2
# A shop seen lit in breach on this many different nights, this many days or more after it
# was first contacted, is "to refer" to the town hall.
REFER_AFTER_NIGHTS = 3
REFER_AFTER_CONTACT_DAYS = 14


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
    lit_kind="",
    size="",
):
    """Record that a shop was seen lit (or dark) at night; create the shop if it is new.

    Guarantees, in one transaction:
    - no duplicate shop: a report within 30 m of a shop of the same name (or with the same
      OSM id) is a new sighting of that shop, even when fifty arrive at once (reports that
      could match each other are serialised by advisory locks, see `_lock_area`);
    - `shop` (the user picked it in "is it one of these?") must lie near the pin;
    - the shop's counts and status follow: a lit sighting of a resolved shop makes it
      relapsed, two dark sightings after the last lit one make it resolved;
    - subscribers are notified after commit when the shop becomes resolved;
    - a shop seen lit in breach on three nights, 14 days or more after it was first
      contacted, becomes "to refer" (`apply_referral_rule`), and is referred after commit
      when LIGHTSOFF_AUTO_REFER is on;
    - a new shop gets its commune (`communes.commune_for`, from the pin and postcode).
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
                    commune=commune_for(lat, lng, postcode),
                )
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        if not shop.address and address:
            shop.address, shop.postcode, shop.city = address[:255], postcode[:10], city[:120]
            if shop.commune_id is None:
                shop.commune = commune_for(shop.latitude, shop.longitude, shop.postcode)
        sighting = Sighting.objects.create(
            shop=shop,
            lit=lit,
            seen_at=seen_at,
            photo=photo or "",
            reporter=reporter,
            ip_hash=hash_ip(ip),
            lit_kind=lit_kind or "",
            size=size or "",
        )
        previous = shop.status
        shop.sightings_count = shop.sightings.filter(is_hidden=False).count()
        apply_sightings(shop)
        shop.save()
        if shop.status != previous and shop.status == Shop.Status.RESOLVED:
            notify_after_commit(shop, "resolved")
        if shop.status != previous and shop.status == Shop.Status.RELAPSED:
            # Lit again: a later "switched off" or "contacted" is news worth telling again.
            shop.subscriptions.update(notified_status=Shop.Status.RELAPSED)
        if shop.status != previous and shop.status == Shop.Status.TO_REFER:
            refer_automatically_after_commit(shop)
    return Report(shop, sighting, created)


def refer_automatically_after_commit(shop):
    """With LIGHTSOFF_AUTO_REFER on, the platform refers a shop as soon as it is "to
    refer" (a task, after commit: the dossier takes a second to build)."""
    if settings.LIGHTSOFF_AUTO_REFER:
        enqueue_on_commit(REFER_SHOP, shop.pk)


def counts_as_dark_check(shop, seen_at):
    """A dark window counts towards "resolved" only when the law wants it dark."""
    return hours.legality(seen_at, shop.opening_hours).must_be_off


def night_of(moment):
    """The night a moment belongs to, named by its evening's date (local time)."""
    return (timezone.localtime(moment) - datetime.timedelta(hours=12)).date()


def apply_sightings(shop):
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
    apply_referral_rule(shop, visible)


def lit_nights_after_contact(shop, sightings=None):
    """The nights (named by their evening's date, Paris time, noon to noon) on which the
    shop was seen lit when its windows had to be dark, at least REFER_AFTER_CONTACT_DAYS
    after it was first contacted. Sorted; empty for a shop never contacted."""
    if shop.contacted_at is None:
        return []
    since = shop.contacted_at + datetime.timedelta(days=REFER_AFTER_CONTACT_DAYS)
    visible = shop.sightings.filter(is_hidden=False) if sightings is None else sightings
    lit = visible.filter(lit=True, seen_at__gte=since).values_list("seen_at", "lit_kind")
    return sorted(
        {
            night_of(seen_at)
            for seen_at, kind in lit
            # Signs may be on again from 6 h (R581-59), windows from 7 h: each its rule.
            if hours.legality(seen_at, shop.opening_hours, kind=kind or None).must_be_off
        }
    )


def apply_referral_rule(shop, visible):
    """A shop seen lit in breach on REFER_AFTER_NIGHTS different nights, 14 days or more
    after it was first contacted, is "to refer"; one no longer so (sightings hidden by a
    moderator) goes back to the status its sightings give. A resolved shop is left alone,
    and a referred one stays referred."""
    if shop.status in (Shop.Status.RESOLVED, Shop.Status.REFERRED):
        return
    due = len(lit_nights_after_contact(shop, visible)) >= REFER_AFTER_NIGHTS
    if due:
        shop.status = Shop.Status.TO_REFER
    elif shop.status == Shop.Status.TO_REFER:
        relit = (
            shop.resolved_at and shop.last_seen_lit_at and shop.last_seen_lit_at > shop.resolved_at
        )
        if relit:
            shop.status = Shop.Status.RELAPSED
        elif shop.contacts_count or shop.contacted_at:
            shop.status = Shop.Status.CONTACTED
        else:
            shop.status = Shop.Status.REPORTED
