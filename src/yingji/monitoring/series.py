"""Chart data for a point: the resolution follows the requested span, so a chart can zoom from a year
to a minute and never receive more than a few thousand buckets.

≤ 2 h: raw readings; ≤ 3 days: 1-minute rollups; longer: 1-hour rollups. Every bucket carries
min/avg/max (for raw readings all three are the value), and the point's thresholds come along so the
chart can draw them.
"""

from __future__ import annotations

import datetime
from typing import Any

from yingji.monitoring.models import Point, Reading, ReadingHour, ReadingMinute

RAW_MAX_SPAN = datetime.timedelta(hours=2)
MINUTE_MAX_SPAN = datetime.timedelta(days=3)
MAX_SPAN = datetime.timedelta(days=3 * 366)  # beyond this a request is refused, not silently cut
DEFAULT_SPAN = datetime.timedelta(hours=24)

THRESHOLD_SEVERITY = {
    "high1": 1,
    "low1": 1,
    "high2": 2,
    "low2": 2,
    "blue": 1,
    "yellow": 2,
    "orange": 3,
    "red": 4,
}


def resolution_for(start: datetime.datetime, end: datetime.datetime) -> str:
    span = end - start
    if span <= RAW_MAX_SPAN:
        return "raw"
    if span <= MINUTE_MAX_SPAN:
        return "minute"
    return "hour"


def thresholds_of(point: Point) -> list[dict[str, Any]]:
    names = (
        ("high1", "high2", "low1", "low2")
        if point.scheme == "two_level"
        else ("blue", "yellow", "orange", "red")
    )
    return [
        {"name": name, "value": getattr(point, name), "severity": THRESHOLD_SEVERITY[name]}
        for name in names
        if getattr(point, name) is not None
    ]


def _ms(ts: datetime.datetime) -> int:
    return int(ts.timestamp() * 1000)


def buckets(point_id: int, start: datetime.datetime, end: datetime.datetime, resolution: str) -> list[list]:
    """[[time in ms, min, avg, max], ...] in time order, for start ≤ time ≤ end."""
    if resolution == "raw":
        rows = Reading.objects.filter(point_id=point_id, ts__gte=start, ts__lte=end).order_by("ts")
        return [[_ms(ts), value, value, value] for ts, value in rows.values_list("ts", "value")]
    model = ReadingMinute if resolution == "minute" else ReadingHour
    # A bucket that starts before `start` still holds readings inside the window: include it.
    step = datetime.timedelta(minutes=1) if resolution == "minute" else datetime.timedelta(hours=1)
    rows = model.objects.filter(point_id=point_id, bucket__gt=start - step, bucket__lte=end).order_by(
        "bucket"
    )
    return [
        [_ms(bucket), vmin, vsum / count if count else None, vmax]
        for bucket, vmin, vmax, vsum, count in rows.values_list("bucket", "vmin", "vmax", "vsum", "count")
    ]


def point_series(point: Point, *, start: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    resolution = resolution_for(start, end)
    return {
        "point": point.pk,
        "unit": point.unit,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "resolution": resolution,
        "range": [point.range_low, point.range_high],
        "thresholds": thresholds_of(point),
        "data": buckets(point.pk, start, end, resolution),
    }
