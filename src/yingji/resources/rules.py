"""Pure rules of the resources app: distances and ETA, the nearest-search box, stock warnings, statuses.

No request and no database here; `services.nearest` runs the queries and calls these.
"""

from __future__ import annotations

import datetime
import heapq
import math
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings

from yingji.core import geo

KINDS = ("team", "warehouse", "shelter", "expert", "equipment")
TEAM_STATUSES = ("ready", "dispatched", "on_scene", "returning", "unavailable")
MOVEMENT_KINDS = ("in", "out", "adjust")
DEFAULT_EXPIRY_DAYS = 30
MAX_LIMIT = 100
KM_PER_DEGREE = 111.195  # one degree of latitude on the mean Earth radius


def speed_kmh() -> float:
    """Average road speed for ETAs (setting YINGJI_RESOURCES_SPEED_KMH, default 40)."""
    return float(getattr(settings, "RESOURCES_SPEED_KMH", 40.0))


def road_factor() -> float:
    """Road distance / straight-line distance (setting YINGJI_RESOURCES_ROAD_FACTOR, default 1.3)."""
    return float(getattr(settings, "RESOURCES_ROAD_FACTOR", 1.3))


def eta_minutes(distance_km: float, *, speed: float | None = None, factor: float | None = None) -> int:
    """Minutes to cover a straight-line distance by road: distance × road factor / average speed."""
    speed = speed or speed_kmh()
    factor = factor or road_factor()
    return math.ceil(distance_km * factor / speed * 60)


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    return geo.distance_m(lng1, lat1, lng2, lat2) / 1000.0


def coordinate_problems(latitude, longitude) -> dict[str, str]:
    """{field: code} for coordinates that are missing, out of range or outside China; {} when fine."""
    problems: dict[str, str] = {}
    for name, value, full, china in (
        ("latitude", latitude, (-90.0, 90.0), geo.CHINA_LAT),
        ("longitude", longitude, (-180.0, 180.0), geo.CHINA_LNG),
    ):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            problems[name] = "required"
        elif not full[0] <= value <= full[1]:
            problems[name] = "out_of_range"
        elif not china[0] <= value <= china[1]:
            problems[name] = "outside_china"
    return problems


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a box holding every point within `radius_km`."""
    dlat = radius_km / KM_PER_DEGREE
    cos_lat = math.cos(math.radians(min(89.0, abs(latitude) + dlat)))
    dlng = min(180.0, radius_km / (KM_PER_DEGREE * max(cos_lat, 1e-6)))
    return latitude - dlat, latitude + dlat, longitude - dlng, longitude + dlng


def box_covers_china(box: tuple[float, float, float, float]) -> bool:
    return (
        box[0] <= geo.CHINA_LAT[0]
        and box[1] >= geo.CHINA_LAT[1]
        and box[2] <= geo.CHINA_LNG[0]
        and box[3] >= geo.CHINA_LNG[1]
    )


def rank(
    candidates: Iterable[tuple[int, float, float]], latitude: float, longitude: float, limit: int
) -> list[tuple[float, int]]:
    """The `limit` nearest (distance_km, pk) of (pk, lat, lng) candidates, nearest first (ties by pk)."""
    lat1 = math.radians(latitude)
    cos1 = math.cos(lat1)
    radius_km = geo.EARTH_RADIUS_M / 1000.0
    rows = []
    for pk, lat, lng in candidates:
        p2 = math.radians(lat)
        a = (
            math.sin((p2 - lat1) / 2) ** 2
            + cos1 * math.cos(p2) * math.sin(math.radians(lng - longitude) / 2) ** 2
        )
        rows.append((2 * radius_km * math.asin(math.sqrt(min(1.0, a))), pk))
    return heapq.nsmallest(limit, rows)


def search_complete(ranked: list[tuple[float, int]], limit: int, radius_km: float) -> bool:
    """True when the box of `radius_km` is known to hold the true `limit` nearest: it gave enough
    candidates and the farthest kept one lies within the radius (nothing outside the box is nearer)."""
    return len(ranked) >= limit and ranked[-1][0] <= radius_km


def next_radius(radius_km: float, ranked: list[tuple[float, int]], limit: int) -> float:
    """The next box. With enough candidates: out to the farthest kept one (one more query settles it).
    With too few: grow by the area the missing ones need (area ∝ r²), at least ×1.5, at most ×4."""
    found = len(ranked)
    if found >= limit:
        return max(ranked[-1][0], radius_km * 1.01)
    if found == 0:
        return radius_km * 4
    return radius_km * min(4.0, max(1.5, math.sqrt(limit / found) * 1.3))


# --- stock -----------------------------------------------------------------------------------------


def expiry_limit(today: datetime.date, days: int = DEFAULT_EXPIRY_DAYS) -> datetime.date:
    return today + datetime.timedelta(days=days)


def stock_flags(
    quantity: Decimal, minimum: Decimal, expiry: datetime.date | None, today: datetime.date, days: int
) -> list[str]:
    """'below_minimum' and/or 'expired' / 'expiring' for one stock line."""
    flags = []
    if quantity < minimum:
        flags.append("below_minimum")
    if expiry is not None and quantity > 0:
        if expiry < today:
            flags.append("expired")
        elif expiry <= expiry_limit(today, days):
            flags.append("expiring")
    return flags


def movement_delta(kind: str, quantity: Decimal, current: Decimal) -> Decimal:
    """The signed change of a movement: +q received, −q issued, and for an adjustment (a stock count)
    the difference between the counted quantity `quantity` and the current one."""
    if kind == "in":
        return quantity
    if kind == "out":
        return -quantity
    return quantity - current


def shelter_occupancy_problem(occupancy: int, capacity: int, is_open: bool) -> str | None:
    """A code for an occupancy that cannot be recorded, or None."""
    if occupancy < 0:
        return "negative"
    if occupancy > 0 and not is_open:
        return "shelter_closed"
    if occupancy > capacity:
        return "above_capacity"
    return None
