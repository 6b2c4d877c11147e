import pytest

from lightsoff import geo


def test_a_bbox_is_read_west_south_east_north():
    bbox = geo.parse_bbox("2.30,48.84,2.40,48.88")
    assert (bbox.west, bbox.south, bbox.east, bbox.north) == (2.30, 48.84, 2.40, 48.88)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "missing"),
        ("1,2,3", "malformed"),
        ("a,b,c,d", "malformed"),
        ("2,48,nan,49", "out_of_range"),
        ("2,-95,3,49", "out_of_range"),
        ("3,48,2,49", "inverted"),
        ("-60,10,60,50", "too_large"),
    ],
)
def test_a_bad_bbox_is_refused_with_its_reason(value, reason):
    with pytest.raises(geo.BBoxError) as error:
        geo.parse_bbox(value)
    assert str(error.value) == reason


def test_haversine_gives_metres():
    # Two points 0.001° of latitude apart: about 111 m.
    assert geo.haversine_m(48.0, 2.0, 48.001, 2.0) == pytest.approx(111.2, abs=0.2)


def test_offset_moves_the_announced_distance():
    lat, lng = geo.offset(48.8566, 2.3522, north_m=12, east_m=16)
    assert geo.haversine_m(48.8566, 2.3522, lat, lng) == pytest.approx(20, abs=0.1)


def test_overlapping_circles_share_a_lock_cell():
    """Two reports whose 30 m circles overlap must wait for each other."""
    lat, lng = 48.8600, 2.3400  # close to a cell corner on purpose
    for north, east in [(0, 25), (25, 0), (-20, -20), (18, -18)]:
        other = geo.offset(lat, lng, north_m=north, east_m=east)
        assert set(geo.lock_cells(lat, lng, 30)) & set(geo.lock_cells(*other, 30))


def test_cluster_cells_shrink_when_zooming_in():
    assert geo.cluster_cell_deg(6) == pytest.approx(4 * geo.cluster_cell_deg(8))
