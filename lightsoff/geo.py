"""Bounding boxes, distances and grid clustering on plain latitude/longitude columns.

No GeoDjango (DESIGN.md): a shop is two decimal columns with a composite index. At the
scale of a street, degrees are converted to metres with the local cosine of latitude;
haversine gives the distance on the sphere.
"""

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180  # about 111,195 m


class BBoxError(ValueError):
    """A bounding box that cannot be used; the message is shown to the user."""


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @property
    def width(self):
        return self.east - self.west

    @property
    def height(self):
        return self.north - self.south

    def contains(self, lat, lng):
        return self.south <= lat <= self.north and self.west <= lng <= self.east


def valid_lat_lng(lat, lng):
    """True when both are finite numbers in the WGS 84 ranges."""
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        return False
    return math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180


# The widest bbox the API serves at any zoom, in degrees either way (the map asks for no
# more: the page hands it to map.js, with MAX_VIEW_TILES).
MAX_SPAN = 40.0


def parse_bbox(value, *, max_span=MAX_SPAN):
    """Parse "W,S,E,N" (the order of RFC 7946 and of Leaflet's toBBoxString()).

    Raises BBoxError when it is missing, malformed, out of range, inverted or wider than
    `max_span` degrees either way (a whole-world request would defeat the clustering).
    """
    if not value:
        raise BBoxError("missing")
    parts = value.split(",")
    if len(parts) != 4:
        raise BBoxError("malformed")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise BBoxError("malformed") from None
    if not (valid_lat_lng(south, west) and valid_lat_lng(north, east)):
        raise BBoxError("out_of_range")
    if west >= east or south >= north:
        raise BBoxError("inverted")
    if east - west > max_span or north - south > max_span:
        raise BBoxError("too_large")
    return BBox(west, south, east, north)


def haversine_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres."""
    lat1, lng1, lat2, lng2 = (math.radians(float(v)) for v in (lat1, lng1, lat2, lng2))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(lat, lng, radius_m):
    """The smallest box holding the circle of `radius_m` around a point."""
    lat, lng = float(lat), float(lng)
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlng = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    return BBox(
        max(lng - dlng, -180.0),
        max(lat - dlat, -90.0),
        min(lng + dlng, 180.0),
        min(lat + dlat, 90.0),
    )


def offset(lat, lng, *, north_m=0.0, east_m=0.0):
    """The point `north_m` metres north and `east_m` metres east of (lat, lng)."""
    lat, lng = float(lat), float(lng)
    new_lat = lat + north_m / METRES_PER_DEGREE_LAT
    new_lng = lng + east_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return new_lat, new_lng


# --- Grid ----------
# Locks: a report takes a lock on every cell its matching circle touches (see
# services.report_sighting). 0.002° is about 220 m north-south, 150 m east-west in France.
LOCK_CELL_DEG = 0.002


def lock_cells(lat, lng, radius_m):
    """Integer (x, y) cells of the LOCK_CELL_DEG grid met by the circle, sorted.

    Two reports whose circles overlap share at least one cell, so they wait for each
    other; sorting gives every transaction the same order (no deadlock).
    """
    box = bbox_around(lat, lng, radius_m)
    xs = range(math.floor(box.west / LOCK_CELL_DEG), math.floor(box.east / LOCK_CELL_DEG) + 1)
    ys = range(math.floor(box.south / LOCK_CELL_DEG), math.floor(box.north / LOCK_CELL_DEG) + 1)
    return sorted((x, y) for x in xs for y in ys)


# Clustering: at zoom z a 256-pixel tile spans 360 / 2**z degrees of longitude; a cluster
# cell is a quarter of a tile (64 px), so a screen of any size shows a bounded number of
# clusters whatever the number of shops.
CELLS_PER_TILE = 4
# From this zoom on, the map shows each shop (a street is readable).
POINTS_FROM_ZOOM = 15


# The widest view a map shows at a zoom, in tiles of 256 px: 24 tiles is a 6,144 px
# screen, more than any real one (and Leaflet pads the bbox it asks for a little).
MAX_VIEW_TILES = 24


def fits_zoom(bbox, zoom):
    """Is this bbox one that a map could show at `zoom`? (Not a country at street level.)"""
    span = MAX_VIEW_TILES * 360.0 / (2**zoom)
    return bbox.east - bbox.west <= span and bbox.north - bbox.south <= span


def cluster_cell_deg(zoom):
    return 360.0 / (2**zoom) / CELLS_PER_TILE
