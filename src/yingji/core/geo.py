"""Coordinates: WGS-84/CGCS2000 longitude/latitude; distance; China's bounding box."""

from __future__ import annotations

import math

# A generous box around China's territory (incl. islands of the South China Sea).
CHINA_LNG = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)
EARTH_RADIUS_M = 6_371_008.8


def inside_china(longitude: float, latitude: float) -> bool:
    return CHINA_LNG[0] <= longitude <= CHINA_LNG[1] and CHINA_LAT[0] <= latitude <= CHINA_LAT[1]


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
