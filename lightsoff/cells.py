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

Levels: summing every fine cell of France costs the number of non-empty fine cells (some
300,000 for a million shops), so ShopCellLevel keeps the same counts on other grids:
zooms 11 and 8, each summed from the 8 × 8 cells of the level below it, serve views at
zoom 9–11 and ≤ 8; zoom 16, counted from the shops, serves streets at zoom 15–16 too dense
to show shop by shop. Any view then sums at most 8 × 8 level cells per cluster. A refresh
recomputes the fine cell, its zoom-16 cells, then its zoom-11 and zoom-8 parents, under
the lock of the zoom-8 parent (taken first: writers in one region queue, none deadlock).
"""

import hashlib
import math

from django.db import connection, transaction
from django.db.models import Count, FloatField, IntegerField, Sum
from django.db.models.functions import Cast, Floor

from . import geo
from .models import Shop, ShopCell, ShopCellLevel

CELL_ZOOM = 14
CELL_DEG = geo.cluster_cell_deg(CELL_ZOOM)
# ShopCellLevel's grids: coarser ones, each 8 × 8 cells of the one below (finest first)...
COARSE_ZOOMS = (11, 8)
# ...and a finer one, 4 × 4 cells in each fine cell, counted from the shops.
STREET_ZOOM = 16
STREET_DEG = geo.cluster_cell_deg(STREET_ZOOM)


def cell_of(lat, lng, cell_deg=CELL_DEG):
    """(cx, cy) of a point: floor of the float degrees over the cell size, as SQL does."""
    return math.floor(float(lng) / cell_deg), math.floor(float(lat) / cell_deg)


def _cell_expressions(cell_deg=CELL_DEG):
    return {
        "cx": Cast(Floor(Cast("longitude", FloatField()) / cell_deg), IntegerField()),
        "cy": Cast(Floor(Cast("latitude", FloatField()) / cell_deg), IntegerField()),
    }


def _aggregate(shops, cell_deg=CELL_DEG):
    return (
        shops.annotate(**_cell_expressions(cell_deg))
        .values("cx", "cy", "status")
        .annotate(
            n=Count("pk"),
            s_lat=Sum(Cast("latitude", FloatField())),
            s_lng=Sum(Cast("longitude", FloatField())),
        )
        .order_by()
    )


def _lock(cells, tag="lightsoff-cell"):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for cx, cy in sorted(cells):
            digest = hashlib.blake2b(repr((tag, cx, cy)).encode(), digest_size=8)
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [int.from_bytes(digest.digest(), "big", signed=True)],
            )


def _parents(cells, levels=1):
    """The cells one coarse level (8 × 8 cells) up, `levels` times: a floor division."""
    return {(cx >> 3 * levels, cy >> 3 * levels) for cx, cy in cells}


def _sums(cells):
    """Cells' rows summed per status (the parent cell's rows)."""
    return (
        cells.values("status")
        .annotate(n=Sum("count"), s_lat=Sum("sum_lat"), s_lng=Sum("sum_lng"))
        .order_by()
    )


def _level_rows(zoom, rows, x="cx", y="cy"):
    return [
        ShopCellLevel(
            zoom=zoom,
            cx=row[x],
            cy=row[y],
            status=row["status"],
            count=row["n"],
            sum_lat=row["s_lat"],
            sum_lng=row["s_lng"],
        )
        for row in rows
    ]


def refresh(cells):
    """Recompute the given (cx, cy) cells from the shops, with their cells on the other
    levels, in one transaction."""
    cells = {(int(cx), int(cy)) for cx, cy in cells}
    if not cells:
        return
    with transaction.atomic():
        _lock(_parents(cells, len(COARSE_ZOOMS)), "lightsoff-cell-parent")
        _lock(cells)
        rows, street_rows = [], []
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
            # CELL_DEG is 4 × STREET_DEG exactly, so floor(x / STREET_DEG) // 4 is this cell.
            street_rows += [
                row
                for row in _aggregate(shops, STREET_DEG)
                if (row["cx"] >> 2, row["cy"] >> 2) == (cx, cy)
            ]
            ShopCell.objects.filter(cx=cx, cy=cy).delete()
            ShopCellLevel.objects.filter(
                zoom=STREET_ZOOM, cx__range=(cx * 4, cx * 4 + 3), cy__range=(cy * 4, cy * 4 + 3)
            ).delete()
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
        ShopCellLevel.objects.bulk_create(_level_rows(STREET_ZOOM, street_rows))
        # Then each coarse level from the one below it (fresh now), finest first.
        children, below = cells, ShopCell.objects.all()
        for zoom in COARSE_ZOOMS:
            parents = _parents(children)
            level_rows = []
            for px, py in sorted(parents):
                ShopCellLevel.objects.filter(zoom=zoom, cx=px, cy=py).delete()
                inside = below.filter(
                    cx__range=(px * 8, px * 8 + 7), cy__range=(py * 8, py * 8 + 7)
                )
                level_rows += [{**row, "cx": px, "cy": py} for row in _sums(inside)]
            ShopCellLevel.objects.bulk_create(_level_rows(zoom, level_rows))
            children, below = parents, ShopCellLevel.objects.filter(zoom=zoom)


def refresh_positions(positions):
    """Refresh the cells holding these (lat, lng) positions (None values are skipped)."""
    refresh(cell_of(lat, lng) for lat, lng in positions if lat is not None and lng is not None)


def _insert_level(zoom, sums, x, y):
    """INSERT … SELECT the rows of the `sums` query (x, y, status, n, s_lat, s_lng) as
    ShopCellLevel rows of `zoom`: the database does it all, even for a million shops."""
    sql, params = sums.query.sql_with_params()
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("zoom", "cx", "cy", "status", "count", "sum_lat", "sum_lng"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(ShopCellLevel._meta.db_table)} ({columns}) "  # noqa: S608 - our names
            f"SELECT %s, {q(x)}, {q(y)}, {q('status')}, {q('n')}, {q('s_lat')}, {q('s_lng')} "
            f"FROM ({sql}) AS sums",
            [zoom, *params],
        )


def _parent_sums(cells):
    """Cells summed into their parents (8 × 8 cells) per status, as px, py."""
    return (
        cells.annotate(
            px=Cast(Floor(Cast("cx", FloatField()) / 8.0), IntegerField()),
            py=Cast(Floor(Cast("cy", FloatField()) / 8.0), IntegerField()),
        )
        .values("px", "py", "status")
        .annotate(n=Sum("count"), s_lat=Sum("sum_lat"), s_lng=Sum("sum_lng"))
        .order_by()
    )


def rebuild():
    """Recompute every cell of every level from the shops (after bulk loads); returns
    the fine cells' row count."""
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
        ShopCellLevel.objects.all().delete()
        _insert_level(STREET_ZOOM, _aggregate(Shop.objects.reported(), STREET_DEG), "cx", "cy")
        below = ShopCell.objects.all()
        for zoom in COARSE_ZOOMS:
            _insert_level(zoom, _parent_sums(below), "px", "py")
            below = ShopCellLevel.objects.filter(zoom=zoom)
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


def grid_zoom(zoom):
    """The zoom of the grid that clusters a view at `zoom`: the coarsest whose cells are
    no larger than the view's clusters (None past STREET_ZOOM: the shops themselves)."""
    levels = sorted((*COARSE_ZOOMS, CELL_ZOOM, STREET_ZOOM))
    return next((level for level in levels if level >= zoom), None)


def clusters(bbox, zoom):
    """Clusters for a view at zoom ≤ STREET_ZOOM, summed in SQL from the cells of
    grid_zoom(zoom): [(lat, lng, count, {status: count})].

    One row per cluster, its counts per status side by side. Written in SQL because
    building this query through the ORM cost more than running it (5 ms of a city view's
    9 ms at a million shops); a cluster is 2**k cells of the grid per side, so `cx >> k`
    is its column, exactly, on either side of the meridian."""
    level = grid_zoom(zoom)
    model = ShopCell if level == CELL_ZOOM else ShopCellLevel
    cell_deg = geo.cluster_cell_deg(level)
    x0, y0 = cell_of(bbox.south, bbox.west, cell_deg)
    x1, y1 = cell_of(bbox.north, bbox.east, cell_deg)
    shift = level - zoom
    statuses = Shop.Status.values
    q = connection.ops.quote_name
    count, status = q("count"), q("status")
    by_status = ", ".join(f"SUM(CASE WHEN {status} = %s THEN {count} END)" for _ in statuses)
    zoom_test = f"{q('zoom')} = %s AND " if model is ShopCellLevel else ""
    sql = (
        f"SELECT SUM({count}), SUM({q('sum_lat')}), SUM({q('sum_lng')}), {by_status} "  # noqa: S608 - our names
        f"FROM {q(model._meta.db_table)} "
        f"WHERE {zoom_test}{q('cy')} BETWEEN %s AND %s AND {q('cx')} BETWEEN %s AND %s "
        f"GROUP BY {q('cx')} >> %s, {q('cy')} >> %s"
    )
    params = [*statuses, *([level] if zoom_test else []), y0, y1, x0, x1, shift, shift]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (s_lat / n, s_lng / n, n, {s: c for s, c in zip(statuses, counts, strict=True) if c})
        for n, s_lat, s_lng, *counts in rows
    ]
