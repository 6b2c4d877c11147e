"""The map's pre-aggregated grid: reported shops counted per fine cell and status.

A fine cell is a quarter of a map tile at zoom CELL_ZOOM (about 600 m × 400 m in
France). Clusters at zoom z ≤ CELL_ZOOM are whole groups of 2**(CELL_ZOOM - z) fine cells
per side, so the API sums at most a few thousand ShopCell rows for any view instead of
scanning up to every shop.

Freshness: a shop saved through the ORM refreshes its cell(s) in the same transaction
(post_save/post_delete signals, connected in apps.py); writes that bypass save()
(QuerySet.update, bulk_create) call `refresh_positions` or `rebuild` themselves.
A refresh recomputes the cell from the shops (no increments, so nothing drifts) under a
transaction-level advisory lock on the cell, so two concurrent writers cannot interleave.
"""

import hashlib
import math

from django.db import connection, transaction
from django.db.models import Count, FloatField, IntegerField, Sum
from django.db.models.functions import Cast, Floor

from . import geo
from .models import Shop, ShopCell

CELL_ZOOM = 14
CELL_DEG = geo.cluster_cell_deg(CELL_ZOOM)


def cell_of(lat, lng):
    """(cx, cy) of a point: floor of the float degrees over CELL_DEG, as SQL computes it."""
    return math.floor(float(lng) / CELL_DEG), math.floor(float(lat) / CELL_DEG)


def _cell_expressions():
    return {
        "cx": Cast(Floor(Cast("longitude", FloatField()) / CELL_DEG), IntegerField()),
        "cy": Cast(Floor(Cast("latitude", FloatField()) / CELL_DEG), IntegerField()),
    }


def _aggregate(shops):
    return (
        shops.annotate(**_cell_expressions())
        .values("cx", "cy", "status")
        .annotate(
            n=Count("pk"),
            s_lat=Sum(Cast("latitude", FloatField())),
            s_lng=Sum(Cast("longitude", FloatField())),
        )
        .order_by()
    )


def _lock(cells):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for cx, cy in sorted(cells):
            digest = hashlib.blake2b(repr(("lightsoff-cell", cx, cy)).encode(), digest_size=8)
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [int.from_bytes(digest.digest(), "big", signed=True)],
            )


def refresh(cells):
    """Recompute the given (cx, cy) cells from the shops, in one transaction."""
    cells = {(int(cx), int(cy)) for cx, cy in cells}
    if not cells:
        return
    with transaction.atomic():
        _lock(cells)
        rows = []
        for cx, cy in sorted(cells):
            # The cell's bounds, widened by a hair: the exact test is the floor() below.
            box = geo.BBox(
                cx * CELL_DEG - 1e-6,
                cy * CELL_DEG - 1e-6,
                (cx + 1) * CELL_DEG + 1e-6,
                (cy + 1) * CELL_DEG + 1e-6,
            )
            shops = Shop.objects.reported().in_bbox(box)
            rows += [row for row in _aggregate(shops) if (row["cx"], row["cy"]) == (cx, cy)]
            ShopCell.objects.filter(cx=cx, cy=cy).delete()
        ShopCell.objects.bulk_create(
            ShopCell(
                cx=row["cx"],
                cy=row["cy"],
                status=row["status"],
                count=row["n"],
                sum_lat=row["s_lat"],
                sum_lng=row["s_lng"],
            )
            for row in rows
        )


def refresh_positions(positions):
    """Refresh the cells holding these (lat, lng) positions (None values are skipped)."""
    refresh(cell_of(lat, lng) for lat, lng in positions if lat is not None and lng is not None)


def rebuild():
    """Recompute every cell from the shops (after bulk loads); returns the row count."""
    with transaction.atomic():
        ShopCell.objects.all().delete()
        created = ShopCell.objects.bulk_create(
            (
                ShopCell(
                    cx=row["cx"],
                    cy=row["cy"],
                    status=row["status"],
                    count=row["n"],
                    sum_lat=row["s_lat"],
                    sum_lng=row["s_lng"],
                )
                for row in _aggregate(Shop.objects.reported()).iterator()
            ),
            batch_size=2000,
        )
    return len(created)


def on_shop_saved(sender, instance, **kwargs):
    refresh_positions(
        {
            (instance.latitude, instance.longitude),
            getattr(instance, "_loaded_position", (None, None)),
        }
    )
    instance._loaded_position = (instance.latitude, instance.longitude)


def on_shop_deleted(sender, instance, **kwargs):
    refresh_positions({(instance.latitude, instance.longitude)})


def clusters(bbox, zoom):
    """Clusters for a view at zoom ≤ CELL_ZOOM, summed in SQL from the fine cells:
    [(lat, lng, count, {status: count})]."""
    factor = float(2 ** (CELL_ZOOM - zoom))
    x0, y0 = cell_of(bbox.south, bbox.west)
    x1, y1 = cell_of(bbox.north, bbox.east)
    rows = (
        ShopCell.objects.filter(cx__gte=x0, cx__lte=x1, cy__gte=y0, cy__lte=y1)
        .annotate(
            gx=Floor(Cast("cx", FloatField()) / factor),
            gy=Floor(Cast("cy", FloatField()) / factor),
        )
        .values("gx", "gy", "status")
        .annotate(n=Sum("count"), s_lat=Sum("sum_lat"), s_lng=Sum("sum_lng"))
        .order_by()
    )
    groups = {}
    for row in rows:
        group = groups.setdefault((row["gx"], row["gy"]), [0, 0.0, 0.0, {}])
        group[0] += row["n"]
        group[1] += row["s_lat"]
        group[2] += row["s_lng"]
        group[3][row["status"]] = row["n"]
    return [(s_lat / n, s_lng / n, n, statuses) for n, s_lat, s_lng, statuses in groups.values()]
