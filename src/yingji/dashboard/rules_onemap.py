"""The one map's pure rules: reading bbox/zoom/radius/polygon input, the clustering grid, geometry.

No request, no database: the API parses with these and `onemap.py` queries with their results.
Coordinates are WGS-84 longitude/latitude in degrees, lists are `[lng, lat]` unless said otherwise.
Bad input raises `ValidationError({field: message})` (the API turns it into 400 `invalid_data`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yingji.core.geo import distance_m

MIN_ZOOM = 0
MAX_ZOOM = 20
DEFAULT_ZOOM = 10
# A cluster cell is this many screen pixels wide (Web Mercator: 256 px per tile at zoom 0).
CELL_PX = 64
# Above this many points in the viewport a layer answers clusters instead of points.
POINT_LIMIT = 2000
MAX_RADIUS_M = 50_000
MAX_POLYGON_VERTICES = 200
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @property
    def as_list(self) -> list[float]:
        return [self.west, self.south, self.east, self.north]

    def contains(self, lng: float, lat: float) -> bool:
        return self.west <= lng <= self.east and self.south <= lat <= self.north


WORLD = BBox(-180.0, -90.0, 180.0, 90.0)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def parse_bbox(text: str | None) -> BBox:
    """`w,s,e,n` in degrees; missing or empty = the whole world."""
    if text is None or not text.strip():
        return WORLD
    parts = [_number(p) for p in text.split(",")]
    if len(parts) != 4 or any(p is None for p in parts):
        raise ValidationError({"bbox": _("Give bbox as four numbers: west,south,east,north.")})
    west, south, east, north = (float(p) for p in parts if p is not None)
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise ValidationError(
            {"bbox": _("Longitudes must be within -180..180 and latitudes within -90..90.")}
        )
    if west >= east or south >= north:
        raise ValidationError({"bbox": _("West must be less than east and south less than north.")})
    return BBox(west, south, east, north)


def parse_zoom(text: str | None) -> int:
    """A whole map zoom level 0..20; missing or empty = DEFAULT_ZOOM."""
    if text is None or not str(text).strip():
        return DEFAULT_ZOOM
    try:
        zoom = int(str(text).strip())
    except ValueError:
        raise ValidationError({"zoom": _("Zoom must be a whole number.")}) from None
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise ValidationError(
            {"zoom": _("Zoom must be between {low} and {high}.").format(low=MIN_ZOOM, high=MAX_ZOOM)}
        )
    return zoom


def cell_size(zoom: int, latitude: float = 0.0) -> tuple[float, float]:
    """(degrees of longitude, degrees of latitude) of one cluster cell at `zoom`, about CELL_PX square on
    screen around `latitude` (Mercator stretches latitude by 1/cos)."""
    lng = CELL_PX * 360.0 / (256.0 * 2**zoom)
    lat = lng * max(math.cos(math.radians(max(-85.0, min(85.0, latitude)))), 0.05)
    return lng, lat


def cell_of(lng: float, lat: float, size: tuple[float, float]) -> tuple[int, int]:
    """The grid cell of a point. The grid is anchored at (-180, -90), so cells do not move when the
    viewport pans (the SQL in onemap.py computes the same numbers)."""
    return int(math.floor((lng + 180.0) / size[0])), int(math.floor((lat + 90.0) / size[1]))


def cluster_points(points: list[tuple[float, float, int]], size: tuple[float, float]) -> list[list]:
    """Pure-Python twin of the SQL grid (used for small lists and the tests): points `(lng, lat, rank)`
    -> `[[lng, lat, count, worst rank], ...]` with the mean position per cell."""
    cells: dict[tuple[int, int], list[float]] = {}
    for lng, lat, rank in points:
        cell = cells.setdefault(cell_of(lng, lat, size), [0.0, 0.0, 0, rank])
        cell[0] += lng
        cell[1] += lat
        cell[2] += 1
        cell[3] = min(cell[3], rank)
    return [[s_lng / n, s_lat / n, int(n), int(rank)] for s_lng, s_lat, n, rank in cells.values()]


# -- the radius / polygon tool ---------------------------------------------------------------------


@dataclass(frozen=True)
class Circle:
    lng: float
    lat: float
    radius_m: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.lng, self.lat

    def bbox(self) -> BBox:
        dlat = self.radius_m / METRES_PER_DEGREE
        dlng = self.radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(self.lat)), 0.01))
        return BBox(
            max(-180.0, self.lng - dlng),
            max(-90.0, self.lat - dlat),
            min(180.0, self.lng + dlng),
            min(90.0, self.lat + dlat),
        )

    def contains(self, lng: float, lat: float) -> bool:
        return distance_m(self.lng, self.lat, lng, lat) <= self.radius_m


@dataclass(frozen=True)
class Polygon:
    ring: tuple[tuple[float, float], ...]  # [lng, lat] vertices, not closed

    @property
    def centre(self) -> tuple[float, float]:
        return polygon_centroid(self.ring)

    def bbox(self) -> BBox:
        lngs = [p[0] for p in self.ring]
        lats = [p[1] for p in self.ring]
        return BBox(min(lngs), min(lats), max(lngs), max(lats))

    def contains(self, lng: float, lat: float) -> bool:
        return point_in_ring(lng, lat, self.ring)


def parse_circle(lat: str | None, lon: str | None, radius_m: str | None) -> Circle:
    errors: dict[str, str] = {}
    y, x, r = _number(lat or ""), _number(lon or ""), _number(radius_m or "")
    if y is None or not -90 <= y <= 90:
        errors["lat"] = _("Give a latitude between -90 and 90.")
    if x is None or not -180 <= x <= 180:
        errors["lon"] = _("Give a longitude between -180 and 180.")
    if r is None or not 0 < r <= MAX_RADIUS_M:
        errors["radius_m"] = _("Give a radius in metres, more than 0 and at most {max}.").format(
            max=MAX_RADIUS_M
        )
    if errors:
        raise ValidationError(errors)
    assert x is not None and y is not None and r is not None
    return Circle(x, y, r)


def parse_polygon(vertices) -> Polygon:
    """`[[lng, lat], ...]` (3..200 distinct vertices; a closing vertex equal to the first is dropped)."""
    message = _("Give the polygon as 3 to {max} [longitude, latitude] pairs.").format(
        max=MAX_POLYGON_VERTICES
    )
    if not isinstance(vertices, list | tuple):
        raise ValidationError({"polygon": message})
    ring: list[tuple[float, float]] = []
    for vertex in vertices:
        if not isinstance(vertex, list | tuple) or len(vertex) != 2:
            raise ValidationError({"polygon": message})
        x, y = (_number(v) if not isinstance(v, bool) else None for v in vertex)
        if x is None or y is None or not (-180 <= x <= 180 and -90 <= y <= 90):
            raise ValidationError({"polygon": _("Every vertex must be a valid longitude and latitude.")})
        ring.append((x, y))
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if not 3 <= len(ring) <= MAX_POLYGON_VERTICES or len(set(ring)) < 3:
        raise ValidationError({"polygon": message})
    if abs(ring_area(ring)) < 1e-12:
        raise ValidationError({"polygon": _("The polygon has no area.")})
    return Polygon(tuple(ring))


def parse_polygon_text(text: str) -> Polygon:
    """`lng lat,lng lat,...` (the GET form of the polygon query)."""
    vertices = []
    for pair in (text or "").split(","):
        parts = pair.split()
        if len(parts) != 2:
            raise ValidationError(
                {"polygon": _("Give the polygon as 'longitude latitude' pairs, comma separated.")}
            )
        vertices.append(parts)
    return parse_polygon(vertices)


def ring_area(ring) -> float:
    """Signed area (shoelace, in square degrees)."""
    total = 0.0
    for i, (x1, y1) in enumerate(ring):
        x2, y2 = ring[(i + 1) % len(ring)]
        total += x1 * y2 - x2 * y1
    return total / 2


def polygon_centroid(ring) -> tuple[float, float]:
    area = ring_area(ring)
    if abs(area) < 1e-12:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    cx = cy = 0.0
    for i, (x1, y1) in enumerate(ring):
        x2, y2 = ring[(i + 1) % len(ring)]
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)


def point_in_ring(lng: float, lat: float, ring) -> bool:
    """Even-odd ray casting; `ring` of [lng, lat] vertices, closed or not."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / ((yj - yi) or 1e-300) + xi:
            inside = not inside
        j = i
    return inside


def point_in_geojson(lng: float, lat: float, geometry: dict | None) -> bool:
    """Inside a GeoJSON Polygon or MultiPolygon (holes respected)."""
    if not geometry:
        return False
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for rings in polygons:
        inside = bool(rings) and point_in_ring(lng, lat, rings[0])
        if inside and not any(point_in_ring(lng, lat, hole) for hole in rings[1:]):
            return True
    return False


def distance_from(centre: tuple[float, float], lng: float, lat: float) -> int:
    """Whole metres from the tool's centre."""
    return round(distance_m(centre[0], centre[1], lng, lat))
