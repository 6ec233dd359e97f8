"""The one map's pure rules: input parsing, the clustering grid and the geometry of the tools."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from yingji.dashboard import rules_onemap as rules


def fields_of(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def test_bbox_is_read_as_west_south_east_north():
    box = rules.parse_bbox("120.5,31.5,121.5,32.5")
    assert box.as_list == [120.5, 31.5, 121.5, 32.5]
    assert box.contains(121.0, 32.0) and not box.contains(122.0, 32.0)


def test_missing_bbox_means_the_whole_world():
    assert rules.parse_bbox(None) == rules.WORLD
    assert rules.parse_bbox("  ") == rules.WORLD


@pytest.mark.parametrize(
    "text",
    [
        "1,2,3",
        "a,b,c,d",
        "121,31,120,32",
        "120,32,121,31",
        "120,31,200,32",
        "120,-95,121,32",
        "nan,1,2,3",
        "1,2,3,4,5",
    ],
)
def test_bad_bbox_names_the_bbox_field(text):
    with pytest.raises(ValidationError) as excinfo:
        rules.parse_bbox(text)
    assert fields_of(excinfo) == {"bbox"}


def test_zoom_defaults_and_bounds():
    assert rules.parse_zoom(None) == rules.DEFAULT_ZOOM
    assert rules.parse_zoom("0") == 0 and rules.parse_zoom("20") == 20
    for bad in ("-1", "21", "1.5", "x"):
        with pytest.raises(ValidationError) as excinfo:
            rules.parse_zoom(bad)
        assert fields_of(excinfo) == {"zoom"}


def test_cells_halve_with_each_zoom_level_and_shrink_in_latitude_away_from_the_equator():
    lng10, lat10 = rules.cell_size(10, 0)
    lng11, _ = rules.cell_size(11, 0)
    assert lng11 == pytest.approx(lng10 / 2)
    assert lat10 == pytest.approx(lng10)
    assert rules.cell_size(10, 60)[1] == pytest.approx(lng10 / 2, rel=1e-3)


def test_the_grid_does_not_move_when_the_viewport_pans():
    size = rules.cell_size(12, 32)
    assert rules.cell_of(120.9, 32.0, size) == rules.cell_of(120.9, 32.0, size)
    assert rules.cell_of(120.9, 32.0, size)[0] + 1 == rules.cell_of(120.9 + size[0], 32.0, size)[0]


def test_cluster_points_counts_and_keeps_the_worst_rank():
    size = (1.0, 1.0)
    clusters = rules.cluster_points([(120.1, 32.1, 3), (120.3, 32.3, 0), (125.5, 30.5, 2)], size)
    by_count = sorted(clusters, key=lambda c: -c[2])
    assert by_count[0][2] == 2 and by_count[0][3] == 0
    assert by_count[0][0] == pytest.approx(120.2) and by_count[0][1] == pytest.approx(32.2)
    assert by_count[1][2] == 1 and by_count[1][3] == 2


def test_circle_reads_lat_lon_radius_and_contains_by_distance():
    circle = rules.parse_circle("32.0", "120.9", "1000")
    assert circle.contains(120.9, 32.008)  # ~890 m north
    assert not circle.contains(120.9, 32.01)  # ~1,110 m north
    box = circle.bbox()
    assert box.south < 32.0 < box.north and box.west < 120.9 < box.east


@pytest.mark.parametrize(
    ("lat", "lon", "radius", "field"),
    [
        ("x", "120", "100", "lat"),
        ("95", "120", "100", "lat"),
        ("32", "", "100", "lon"),
        ("32", "190", "100", "lon"),
        ("32", "120", "0", "radius_m"),
        ("32", "120", "-5", "radius_m"),
        ("32", "120", str(rules.MAX_RADIUS_M + 1), "radius_m"),
        ("32", "120", None, "radius_m"),
    ],
)
def test_bad_circle_names_the_field(lat, lon, radius, field):
    with pytest.raises(ValidationError) as excinfo:
        rules.parse_circle(lat, lon, radius)
    assert field in fields_of(excinfo)


def test_polygon_accepts_a_closed_or_open_ring():
    square = [[120.0, 32.0], [121.0, 32.0], [121.0, 33.0], [120.0, 33.0]]
    assert rules.parse_polygon(square).ring == rules.parse_polygon([*square, square[0]]).ring
    polygon = rules.parse_polygon(square)
    assert polygon.contains(120.5, 32.5) and not polygon.contains(121.5, 32.5)
    assert polygon.centre == pytest.approx((120.5, 32.5))


@pytest.mark.parametrize(
    "vertices",
    [
        "not a list",
        [[120, 32], [121, 32]],
        [[120, 32], [121, 32], [122, 32]],  # no area
        [[120, 32], [121, 32], [121, "x"]],
        [[120, 32], [121, 32], [121, 95]],
        [[120, 32], [121, 32], [121]],
        [[120 + i * 0.001, 32 + (i % 2) * 0.001] for i in range(rules.MAX_POLYGON_VERTICES + 1)],
        [[True, 32], [121, 32], [121, 33]],
    ],
)
def test_bad_polygon_names_the_polygon_field(vertices):
    with pytest.raises(ValidationError) as excinfo:
        rules.parse_polygon(vertices)
    assert fields_of(excinfo) == {"polygon"}


def test_polygon_text_is_comma_separated_pairs():
    polygon = rules.parse_polygon_text("120 32,121 32,121 33")
    assert len(polygon.ring) == 3
    with pytest.raises(ValidationError) as excinfo:
        rules.parse_polygon_text("120 32;121 32")
    assert fields_of(excinfo) == {"polygon"}


def test_point_in_geojson_respects_holes_and_multipolygons():
    outer = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    polygon = {"type": "Polygon", "coordinates": [outer, hole]}
    assert rules.point_in_geojson(1, 1, polygon)
    assert not rules.point_in_geojson(5, 5, polygon)
    multi = {"type": "MultiPolygon", "coordinates": [[outer], [[[20, 20], [21, 20], [21, 21], [20, 20]]]]}
    assert rules.point_in_geojson(20.8, 20.2, multi)
    assert not rules.point_in_geojson(15, 15, multi)
    assert not rules.point_in_geojson(1, 1, None)


def test_distance_from_the_centre_is_whole_metres():
    assert rules.distance_from((120.9, 32.0), 120.9, 32.0) == 0
    assert 1100 < rules.distance_from((120.9, 32.0), 120.9, 32.01) < 1120
