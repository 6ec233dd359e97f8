"""Targeting rules: which call-list entries a warning reaches, as plain functions over plain values.

A warning's areas name divisions (a division covers its whole subtree: codes are prefixes) and draw
polygons and circles (a division is inside when its centroid is; it then covers its subtree too).
Targets are the entries in the covered divisions plus the leaders of the divisions above them up to
the warning's jurisdiction (a county's warning for one town calls the county headquarters too), whose
level threshold the warning meets and whose warning type is the warning's or any.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from yingji.core.divisions import PREFIX_LENGTH, level_of

# Rank of each colour: red (Ⅰ) is the highest.
LEVEL_RANK = {"red": 1, "orange": 2, "yellow": 3, "blue": 4}
# Enterprise main responsible persons (generated targets) are called from this level up.
ENTERPRISE_MIN_LEVEL = "yellow"
EARTH_RADIUS_KM = 6371.0088


def levels_reaching(level: str) -> list[str]:
    """The `min_level` values an entry may have to be called for a warning of `level`."""
    rank = LEVEL_RANK[level]
    return [name for name, other in LEVEL_RANK.items() if other >= rank]


def meets(level: str, min_level: str) -> bool:
    return LEVEL_RANK[level] <= LEVEL_RANK[min_level]


def prefix_of(code: str, level: str | None = None) -> str:
    return code[: PREFIX_LENGTH[level or level_of(code)]]


def minimal_prefixes(prefixes: Iterable[str]) -> list[str]:
    """Drop prefixes covered by a shorter one (a county and one of its towns → the county)."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes), key=len):
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return sorted(kept)


def ancestor_codes(code: str, jurisdiction_prefix: str) -> list[str]:
    """The codes of the divisions above `code` that lie inside the jurisdiction (itself included)."""
    codes = []
    for level in ("province", "city", "county", "town"):
        length = PREFIX_LENGTH[level]
        ancestor = code[:length].ljust(12, "0")
        if ancestor != code and ancestor.startswith(jurisdiction_prefix):
            codes.append(ancestor)
    return codes


def point_in_polygon(lat: float, lon: float, polygon: list[list[float]]) -> bool:
    """Ray casting on a ring of [lat, lon] points (CAP order); the closing point may repeat the first."""
    inside = False
    count = len(polygon)
    for index in range(count):
        lat1, lon1 = polygon[index][0], polygon[index][1]
        lat2, lon2 = polygon[(index + 1) % count][0], polygon[(index + 1) % count][1]
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def point_in_circle(lat: float, lon: float, circle: list[float]) -> bool:
    """CAP circle [lat, lon, radius_km]: haversine distance."""
    clat, clon, radius = circle
    phi1, phi2 = math.radians(lat), math.radians(clat)
    dphi, dlambda = math.radians(clat - lat), math.radians(clon - lon)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a)) <= radius


def inside_shapes(lat: float, lon: float, polygons: list, circles: list) -> bool:
    return any(point_in_polygon(lat, lon, p) for p in polygons) or any(
        point_in_circle(lat, lon, c) for c in circles
    )


def primary_entries(entries: list[dict]) -> tuple[list[dict], dict[tuple[str, str], list[dict]]]:
    """Split entries into those called first (A, or a B with no A in its division and tier) and the
    B roles kept back per (division, tier) for when A does not answer."""
    with_a = {(e["division_id"], e["tier"]) for e in entries if e["role"] == "A"}
    first: list[dict] = []
    backups: dict[tuple[str, str], list[dict]] = {}
    for entry in entries:
        key = (entry["division_id"], entry["tier"])
        if entry["role"] == "A" or key not in with_a:
            first.append(entry)
        else:
            backups.setdefault(key, []).append(entry)
    return first, backups


def group_length(prefix: str) -> int:
    """How many code digits group a board one level below `prefix`: towns above town level, else
    the divisions themselves (villages)."""
    return 9 if len(prefix) < 9 else 12
