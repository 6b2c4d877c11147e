"""LightsOff reads that matter: the map's GeoJSON, nearby shops, stats, exports, tasks."""

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast, Floor, TruncMonth
from django.utils import timezone

from . import cells, constants, geo, hours
from .models import Shop, Sighting, VolunteerContactTask

# A report this close to a known shop of the same name is a sighting of that shop.
SAME_SHOP_RADIUS_M = 30
# "Is it one of these?": the known shops listed around the pin.
NEARBY_RADIUS_M = 50
# In "points" mode, past this many shops in view the server clusters anyway.
MAX_POINTS = 400


def nearby_shops(lat, lng, radius_m=NEARBY_RADIUS_M, *, shops=None):
    """Public shops within `radius_m` of a point, nearest first, with `distance_m` set."""
    box = geo.bbox_around(lat, lng, radius_m)
    found = []
    shops = Shop.objects.public() if shops is None else shops
    for shop in shops.in_bbox(box)[:500]:
        shop.distance_m = geo.haversine_m(lat, lng, shop.latitude, shop.longitude)
        if shop.distance_m <= radius_m:
            found.append(shop)
    return sorted(found, key=lambda s: s.distance_m)


def shops_to_check(*, lat, lng, radius_m):
    """A round: reported shops around a point that a night check would settle —
    contacted first, then relapsed, then reported, then those before the town hall (whose
    dossier a dated check completes) — nearest first within each. (Shops imported from
    OpenStreetMap and never reported are not in it.)"""
    order = {
        Shop.Status.CONTACTED: 0,
        Shop.Status.RELAPSED: 1,
        Shop.Status.REPORTED: 2,
        Shop.Status.TO_REFER: 3,
        Shop.Status.REFERRED: 3,
    }
    nearby = nearby_shops(lat, lng, radius_m, shops=Shop.objects.reported())
    shops = [s for s in nearby if s.status in order]
    return sorted(shops, key=lambda s: (order[s.status], s.distance_m))


def _point(lng, lat, properties):
    # RFC 7946: [longitude, latitude]; 6 decimals is 0.1 m, 5 is 1 m (enough for a pin).
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lng, 5), round(lat, 5)]},
        "properties": properties,
    }


def shops_geojson(bbox, zoom):
    """The map layer for a view: a FeatureCollection of shops (zoomed in) or of grid
    clusters summed in SQL from the pre-aggregated cells (zoomed out, see cells.py), so
    that both the payload and the work are bounded by the cells in view, not by the
    number of shops."""
    shops = Shop.objects.reported().in_bbox(bbox)
    if zoom >= geo.POINTS_FROM_ZOOM:
        # Any MAX_POINTS + 1 rows tell whether the view is too dense: unordered, the
        # database stops at them instead of sorting a dense street's thousands of shops.
        rows = list(
            shops.order_by().values(
                "pk", "name", "status", "latitude", "longitude", "sightings_count"
            )[: MAX_POINTS + 1]
        )
        if len(rows) <= MAX_POINTS:
            rows.sort(key=lambda r: (-r["sightings_count"], r["pk"]))
            return {
                "type": "FeatureCollection",
                "features": [
                    _point(
                        float(r["longitude"]),
                        float(r["latitude"]),
                        {
                            "id": r["pk"],
                            "name": r["name"],
                            "status": r["status"],
                            "sightings": r["sightings_count"],
                        },
                    )
                    for r in rows
                ],
            }
    # Past the finest grid (a few hundred metres of street), the shops in view are
    # clustered directly.
    found = cells.clusters(bbox, zoom) if cells.grid_zoom(zoom) else _clusters(shops, zoom)
    return {
        "type": "FeatureCollection",
        "features": [
            _point(
                lng,
                lat,
                {
                    "cluster": True,
                    "count": count,
                    # The colour of the cluster: its most frequent status.
                    "status": max(statuses, key=statuses.get),
                    "statuses": statuses,
                },
            )
            for lat, lng, count, statuses in found
        ],
    }


def _clusters(shops, zoom):
    cell = geo.cluster_cell_deg(zoom)
    lat = Cast("latitude", FloatField())
    lng = Cast("longitude", FloatField())
    statuses = Shop.Status.values
    rows = (
        shops.annotate(cx=Floor(lng / cell), cy=Floor(lat / cell))
        .values("cx", "cy")
        .annotate(
            n=Count("pk"),
            lat=Avg(lat),
            lng=Avg(lng),
            **{f"n_{s}": Count("pk", filter=Q(status=s)) for s in statuses},
        )
        .order_by()
    )
    found = []
    for row in rows:
        counts = {s: row[f"n_{s}"] for s in statuses if row[f"n_{s}"]}
        found.append((row["lat"], row["lng"], row["n"], counts))
    return found


# --- The kit ----------
def shop_history(shop, limit=20):
    """Sightings and contacts of a shop, newest first, without who made them."""
    sightings = [
        {"kind": "sighting", "at": s.seen_at, "lit": s.lit, "has_photo": bool(s.photo)}
        for s in shop.sightings.filter(is_hidden=False).only("seen_at", "lit", "photo")[:limit]
    ]
    contacts = [
        {
            "kind": "contact",
            "at": c.done_at,
            "channel": c.get_channel_display(),
            "by_volunteer": c.by_volunteer,
        }
        for c in shop.contacts.filter(is_hidden=False).only("done_at", "channel", "by_volunteer")[
            :limit
        ]
    ]
    return sorted(sightings + contacts, key=lambda e: e["at"], reverse=True)[:limit]


def open_tasks():
    return VolunteerContactTask.objects.filter(
        status=VolunteerContactTask.Status.OPEN, shop__is_hidden=False
    ).select_related("shop")


def tasks_of(volunteer):
    return VolunteerContactTask.objects.filter(
        volunteer=volunteer, status=VolunteerContactTask.Status.TAKEN
    ).select_related("shop")


# --- Stats ----------
def departement(postcode):
    """The département code of a French postcode ("75011" → "75", "97411" → "974")."""
    postcode = (postcode or "").strip()
    if len(postcode) != 5 or not postcode.isdigit():
        return ""
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def estimate_per_shop():
    """Energy, money and CO₂ wasted in a year by a typical shop lit at night: a shop front
    through the default 1 h–7 h (constants.py). The stats count it per resolved shop;
    a shop's own figures are `estimate_for_shop`."""
    kwh = (
        constants.LIGHTING_POWER_KW.value
        * constants.HOURS_PER_NIGHT.value
        * constants.NIGHTS_PER_YEAR.value
    )
    return {
        "kwh": kwh,
        "eur": kwh * constants.PRICE_EUR_PER_KWH.value,
        "co2_kg": kwh * constants.CO2_KG_PER_KWH.value,
    }


@dataclass(frozen=True)
class ShopEstimate:
    """What one shop wastes in a year, from its own answers and opening hours."""

    lit_kind: str  # constants.LIT_* or "" (not asked: the windows' rule)
    size: str  # constants.SIZE_*, the default when the reporter did not know
    size_known: bool
    power: object  # the constants.POWER_KW figure used
    hours_per_night: float
    uses_opening_hours: bool
    kwh: Decimal
    eur: Decimal
    co2_kg: Decimal


def lit_answers(shop):
    """(lit_kind, size) from the shop's latest visible sighting that asked them."""
    answers = (
        shop.sightings.filter(is_hidden=False, lit=True)
        .exclude(lit_kind="")
        .order_by("-seen_at", "-pk")
        .values_list("lit_kind", "size")
        .first()
    )
    return answers or ("", "")


def estimate_for_shop(shop, *, start=None):
    """Energy, money and CO₂ the shop's lights waste in a year when left on while the
    rule wants them dark: the power of the size the reporter picked, times the mean dark
    hours per night from its opening hours (the default 1 h–7 h when unknown), times 365."""
    lit_kind, size = lit_answers(shop)
    size_known = size in constants.POWER_KW
    power = constants.POWER_KW[size if size_known else constants.DEFAULT_SIZE]
    hours_per_night, known = hours.mean_dark_hours(shop.opening_hours, kind=lit_kind, start=start)
    kwh = power.value * Decimal(str(round(hours_per_night, 2))) * constants.NIGHTS_PER_YEAR.value
    return ShopEstimate(
        lit_kind=lit_kind,
        size=size if size_known else constants.DEFAULT_SIZE,
        size_known=size_known,
        power=power,
        hours_per_night=round(hours_per_night, 2),
        uses_opening_hours=known,
        kwh=kwh,
        eur=kwh * constants.PRICE_EUR_PER_KWH.value,
        co2_kg=kwh * constants.CO2_KG_PER_KWH.value,
    )


def stats(*, months=12, top=15):
    """Counts by status, per city and per département, per month, and what was avoided."""
    shops = Shop.objects.reported()
    by_status = dict(shops.values_list("status").annotate(n=Count("pk")).order_by())
    totals = {s: by_status.get(s, 0) for s in Shop.Status.values}
    status_counts = {f"n_{s}": Count("pk", filter=Q(status=s)) for s in Shop.Status.values}
    cities = list(
        shops.exclude(city="")
        .values("city")
        .annotate(n=Count("pk"), **status_counts)
        .order_by("-n", "city")[:top]
    )
    departements = Counter()
    per_dep_status = {}
    for row in (
        shops.exclude(postcode="").values("postcode", "status").annotate(n=Count("pk")).order_by()
    ):
        code = departement(row["postcode"])
        if code:
            departements[code] += row["n"]
            per_dep_status.setdefault(code, Counter())[row["status"]] += row["n"]
    deps = [
        {"code": code, "n": n, **{f"n_{s}": per_dep_status[code][s] for s in Shop.Status.values}}
        for code, n in departements.most_common(top)
    ]
    today = timezone.localdate()
    first = today.year * 12 + today.month - 1 - (months - 1)  # `months` months, this one included
    since = datetime.date(first // 12, first % 12 + 1, 1)
    since_dt = timezone.make_aware(datetime.datetime.combine(since, datetime.time()))

    def per_month(field):
        return {
            row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["n"]
            for row in shops.filter(**{f"{field}__gte": since_dt})
            .annotate(month=TruncMonth(field))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by()
        }

    reported, contacted, resolved = (
        per_month(f) for f in ("created_at", "contacted_at", "resolved_at")
    )
    timeline = []
    month = since
    while month <= timezone.localdate():
        timeline.append(
            {
                "month": month,
                "reported": reported.get(month, 0),
                "contacted": contacted.get(month, 0),
                "resolved": resolved.get(month, 0),
            }
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    per_shop = estimate_per_shop()
    n_resolved = totals[Shop.Status.RESOLVED]
    return {
        "total": sum(totals.values()),
        "totals": totals,
        "cities": cities,
        "departements": deps,
        "timeline": timeline,
        # The shops' own counts, summed over the same shops as the export's
        # contacts_count column: both say the same number (counting the rows instead
        # took in contacts on hidden, merged or never-reported shops).
        "contacts": shops.aggregate(n=Sum("contacts_count"))["n"] or 0,
        "avoided_kwh": per_shop["kwh"] * n_resolved,
        "avoided_co2_kg": per_shop["co2_kg"] * n_resolved,
        "avoided_eur": per_shop["eur"] * n_resolved,
    }


# --- Exports ----------
EXPORT_SHOP_FIELDS = [
    "id",
    "name",
    "address",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "category",
    "osm_id",
    "status",
    "sightings_count",
    "contacts_count",
    "created_at",
    "contacted_at",
    "resolved_at",
]


def export_shops():
    return Shop.objects.reported().order_by("pk").values_list(*EXPORT_SHOP_FIELDS)


EXPORT_SIGHTING_FIELDS = ["id", "shop_id", "seen_at", "lit"]


def export_sightings():
    """Anonymous sightings: no reporter, no IP hash, no photo."""
    return (
        Sighting.objects.filter(is_hidden=False, shop__is_hidden=False)
        .annotate(lat=F("shop__latitude"), lng=F("shop__longitude"))
        .order_by("pk")
        .values_list(*EXPORT_SIGHTING_FIELDS, "lat", "lng")
    )
