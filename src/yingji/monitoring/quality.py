"""Alarm-quality figures (EEMUA 191, ISA-18.2 / IEC 62682) over a period, for the quality panel.

`alarm_quality(user_or_queryset, start=..., end=...)` counts the alarms raised in [start, end):

- `per_10_min_per_officer`: alarms per 10 minutes per duty officer (the duty officers whose
  jurisdiction lies in the user's, or covers the alarms' divisions for a queryset; at least 1);
  EEMUA 191's goal is < 1, 2 is manageable, 5 excessive (`band`);
- `peak_10_min`: the most alarms in any sliding 10 minutes;
- `floods`: periods with >= 10 alarms in 10 minutes;
- `chattering`: point+condition pairs activated >= 3 times within 60 seconds;
- `bad_actors`: the 10 points with the most alarms.

Threshold alarms of a device raised while it was offline (between its OFFLINE alarm and the return
of its data) are not counted: the evaluator suppresses them, and alarms of another origin (an
external import) for such a point would only repeat the outage.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from yingji.monitoring import rules
from yingji.monitoring.models import Alarm, Point

BANDS = ((1.0, "target"), (2.0, "manageable"), (5.0, "demanding"))  # above 5: "excessive"


def band(rate: float) -> str:
    for limit, name in BANDS:
        if rate <= limit:
            return name
    return "excessive"


def _alarms(user_or_queryset) -> QuerySet:
    if isinstance(user_or_queryset, QuerySet):
        return user_or_queryset
    return Alarm.objects.for_user(user_or_queryset)


def duty_officers(user_or_queryset, divisions: set[str]) -> int:
    """Duty officers in scope (at least 1)."""
    officers = get_user_model().objects.filter(role="duty_officer", is_active=True).select_related("division")
    if not isinstance(user_or_queryset, QuerySet):
        prefix = getattr(user_or_queryset, "scope_prefix", None)
        if prefix is None:
            return 1
        return max(1, officers.filter(division__code__startswith=prefix).count())
    count = 0
    for officer in officers:
        mine = officer.scope_prefix
        if mine is not None and any(code.startswith(mine) for code in divisions):
            count += 1
    return max(1, count)


def _offline_windows(qs: QuerySet, start, end) -> dict[int, list[tuple]]:
    windows: dict[int, list[tuple]] = defaultdict(list)
    rows = qs.filter(condition="offline", raised_at__lt=end).exclude(cleared_at__lt=start)
    for device_id, raised, cleared in rows.values_list("device_id", "raised_at", "cleared_at"):
        windows[device_id].append((raised, cleared or end))
    return windows


def _suppressed(windows: dict[int, list[tuple]], device_id, condition: str, at) -> bool:
    if condition not in rules.THRESHOLD_CONDITIONS or device_id not in windows:
        return False
    return any(begin <= at < finish for begin, finish in windows[device_id])


def alarm_quality(user_or_queryset, *, start: datetime.datetime, end: datetime.datetime) -> dict:
    qs = _alarms(user_or_queryset)
    windows = _offline_windows(qs, start, end)
    rows = [
        row
        for row in qs.filter(raised_at__gte=start, raised_at__lt=end)
        .order_by("raised_at", "pk")
        .values_list("raised_at", "point_id", "device_id", "condition", "division_id")
        if not _suppressed(windows, row[2], row[3], row[0])
    ]
    times = [row[0] for row in rows]
    officers = duty_officers(user_or_queryset, {row[4] for row in rows})
    periods = max(1.0, (end - start) / rules.QUALITY_WINDOW)
    rate = len(rows) / periods / officers
    activations: dict[tuple, list] = defaultdict(list)
    per_point: Counter = Counter()
    for at, point_id, _device, condition, _division in rows:
        if point_id is not None:
            activations[(point_id, condition)].append(at)
            per_point[point_id] += 1
    chattering = [
        {"point_id": point_id, "condition": condition, "activations": len(times_)}
        for (point_id, condition), times_ in activations.items()
        if rules.is_chattering(times_)
    ]
    top = per_point.most_common(rules.BAD_ACTORS)
    names = dict(
        Point.objects.filter(
            pk__in=[p for p, _n in top + [(c["point_id"], 0) for c in chattering]]
        ).values_list("id", "name")
    )
    for entry in chattering:
        entry["point"] = names.get(entry["point_id"], "")
    chattering.sort(key=lambda c: (-c["activations"], c["point_id"]))
    return {
        "start": start,
        "end": end,
        "alarms": len(rows),
        "duty_officers": officers,
        "per_10_min_per_officer": round(rate, 3),
        "band": band(rate),
        "within_target": rate <= 1.0,
        "peak_10_min": rules.peak_count(times),
        "floods": rules.floods(times),
        "chattering": chattering,
        "bad_actors": [{"point_id": p, "point": names.get(p, ""), "count": n} for p, n in top],
    }
