"""Alarm rules as pure functions: no database, no clock (callers pass times).

Severity is one scale for every condition: 1 = 一级/高/蓝 … 4 = 红 (two-level points use 1 and 2).
A threshold condition (HIGH, LOW, COLOUR) is a *ladder* of limits in the dangerous direction. Values
are compared on one axis `x` where larger is worse: `x = value` for a rising danger and `x = -value`
for a falling one, so one comparison serves both directions.

- raise to level s when x >= limit_s (the setpoint itself alarms, as gas detectors do);
- stay at level s while x > limit_s - deadband (hysteresis: no flapping around the limit);
- on-delay: a higher level is taken only once the value has stayed there for on_delay seconds
  (reading timestamps, not the wall clock);
- off-delay: a lower level (or normal) is taken only once the value has stayed there for
  off_delay seconds; a brief return keeps the alarm as it is.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

HIGH, LOW, COLOUR, ROLLUP = "high", "low", "colour", "rollup"
RATE, STUCK, OUT_OF_RANGE, OFFLINE, EXTERNAL = "rate", "stuck", "out_of_range", "offline", "external"
THRESHOLD_CONDITIONS = (HIGH, LOW, COLOUR)  # suppressed while the device is offline
OPEN_STATES = ("active", "acknowledged")

# A condition that comes back within this many seconds of its previous alarm clearing is a
# re-trigger: a new alarm row, and `retriggers` + 1 on the previous one so chattering shows.
RETRIGGER_WINDOW_S = 600
# Alarm-quality benchmarks (EEMUA 191, ISA-18.2): a flood is >= 10 alarms in 10 minutes; a
# chattering alarm is one point+condition activated >= 3 times within 60 seconds.
QUALITY_WINDOW = datetime.timedelta(minutes=10)
FLOOD_COUNT = 10
CHATTER_COUNT = 3
CHATTER_WINDOW = datetime.timedelta(seconds=60)
BAD_ACTORS = 10

# GB 50863 roll-up: how many at one level count as one at the next (blue→yellow 4, yellow→orange 3,
# orange→red 2).
ROLLUP_RATIOS = {1: 4, 2: 3, 3: 2}


# -- thresholds -------------------------------------------------------------------------------------

Ladder = tuple[tuple[int, float], ...]  # (severity, limit on the x axis), any order


def two_level_ladders(high1, high2, low1, low2) -> dict[str, tuple[int, Ladder]]:
    """{condition: (sign, ladder)} of a two-level point; conditions without limits are left out."""
    ladders: dict[str, tuple[int, Ladder]] = {}
    high = tuple((s, float(v)) for s, v in ((1, high1), (2, high2)) if v is not None)
    low = tuple((s, -float(v)) for s, v in ((1, low1), (2, low2)) if v is not None)
    if high:
        ladders[HIGH] = (1, high)
    if low:
        ladders[LOW] = (-1, low)
    return ladders


def colour_ladder(direction: str, blue, yellow, orange, red) -> dict[str, tuple[int, Ladder]]:
    sign = -1 if direction == "low" else 1
    ladder = tuple(
        (s, sign * float(v)) for s, v in ((1, blue), (2, yellow), (3, orange), (4, red)) if v is not None
    )
    return {COLOUR: (sign, ladder)} if ladder else {}


def level_for(x: float, ladder: Ladder, current: int, deadband: float) -> int:
    """The level the value `x` asks for, given the level in force (hysteresis by `deadband`)."""
    level = 0
    for severity, limit in ladder:
        if severity > level and (x >= limit or (current >= severity and x > limit - deadband)):
            level = severity
    return level


def quiet_band(ladders: dict[str, tuple[int, Ladder]]) -> tuple[float, float]:
    """Values strictly inside this band ask for no threshold alarm at all (the evaluator's fast path)."""
    lo, hi = float("-inf"), float("inf")
    for sign, ladder in ladders.values():
        lowest = min(limit for _s, limit in ladder)
        if sign > 0:
            hi = min(hi, lowest)
        else:
            lo = max(lo, -lowest)
    return lo, hi


class Tracker:
    """The delayed level of one threshold condition of one point (on-delay up, off-delay down)."""

    __slots__ = ("level", "up_since", "down_since")

    def __init__(self, level: int = 0) -> None:
        self.level = level  # in force (an open alarm when > 0)
        # up_since[s]: start of the current run of readings asking for level >= s (index 0 unused)
        self.up_since: list[datetime.datetime | None] = [None] * 5
        self.down_since: datetime.datetime | None = None  # start of the run asking for less

    def step(self, wanted: int, ts: datetime.datetime, on_delay: float, off_delay: float) -> int:
        """Feed what one reading asks for; returns the level in force afterwards."""
        up = self.up_since
        for severity in (1, 2, 3, 4):
            if wanted >= severity:
                if up[severity] is None:
                    up[severity] = ts
            else:
                up[severity] = None
        level = self.level
        if wanted > level:
            self.down_since = None
            # the highest level the values have held for the whole on-delay
            for severity in range(wanted, level, -1):
                since = up[severity]
                if on_delay <= 0 or (since is not None and (ts - since).total_seconds() >= on_delay):
                    self.level = severity
                    break
        elif wanted < level:
            if self.down_since is None:
                self.down_since = ts
            if off_delay <= 0 or (ts - self.down_since).total_seconds() >= off_delay:
                self.level, self.down_since = wanted, None
        else:
            self.down_since = None
        return self.level


def out_of_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def rate_per_minute(v0: float, t0: datetime.datetime, v1: float, t1: datetime.datetime) -> float:
    seconds = (t1 - t0).total_seconds()
    return abs(v1 - v0) * 60.0 / seconds if seconds > 0 else 0.0


# -- GB 50863 roll-up -------------------------------------------------------------------------------


def rollup_level(levels: Iterable[int]) -> int:
    """The rolled-up level of a set of warning levels (0 none, 1 blue … 4 red).

    Within one item, 4 points at blue count as one at yellow, 3 at yellow as one at orange, 2 at
    orange as one at red; at pond level the same arithmetic applies to the items' levels. Converted
    counts add to the next level's own ones (4 blue + 2 yellow → 3 yellow → orange).
    """
    counts = Counter(level for level in levels if level > 0)
    for level in (1, 2, 3):
        counts[level + 1] += counts[level] // ROLLUP_RATIOS[level]
    return max((level for level, n in counts.items() if n > 0), default=0)


def rollup(items: dict[str, Sequence[int]]) -> tuple[dict[str, int], int]:
    """(rolled level per item, pond level) from the colour levels of each item's points."""
    per_item = {item: rollup_level(levels) for item, levels in items.items()}
    return per_item, rollup_level(per_item.values())


# -- alarm acknowledgement deadlines ----------------------------------------------------------------


def parse_ack_minutes(text: str) -> dict[int, int]:
    """ "4:5,3:10,2:15,1:30" → {4: 5, 3: 10, 2: 15, 1: 30}; ValueError on anything else."""
    result: dict[int, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        severity, _sep, minutes = part.partition(":")
        sev, mins = int(severity), int(minutes)
        if sev not in (1, 2, 3, 4) or mins <= 0:
            raise ValueError(f"bad alarm acknowledgement setting {part!r}")
        result[sev] = mins
    return result


def ack_minutes(table: dict[int, int], severity: int) -> int | None:
    """Minutes to acknowledge an alarm of `severity` (the nearest lower level configured), or None."""
    for level in range(severity, 0, -1):
        if level in table:
            return table[level]
    return None


# -- lifecycle --------------------------------------------------------------------------------------

ACKNOWLEDGE, HANDLE, TO_HAZARD = "acknowledge", "handle", "to_hazard"
ACTIONS = (ACKNOWLEDGE, HANDLE, TO_HAZARD)
PERMISSION = "monitoring.acknowledge_alarm"


class AlarmError(Exception):
    """A refused alarm action: the API answers 409 with `code`, the page shows `reason`."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def in_scope(alarm, user) -> bool:
    if getattr(user, "is_enterprise_user", False) or getattr(user, "enterprise_id", None):
        return alarm.enterprise_id == user.enterprise_id
    prefix = getattr(user, "scope_prefix", None)
    return prefix is not None and str(alarm.division_id).startswith(prefix)


def refusal(alarm, user, action: str) -> AlarmError | None:
    """Why `user` may not take `action` on `alarm` now, or None when allowed."""
    if action not in ACTIONS:
        return AlarmError("unknown_action", _("Unknown action."))
    if (
        user is None
        or not user.is_authenticated
        or not user.has_perm(PERMISSION)
        or not in_scope(alarm, user)
    ):
        return AlarmError("forbidden", _("You do not have permission for this action."))
    if action == ACKNOWLEDGE:
        if alarm.state == "handled":
            return AlarmError("handled", _("The alarm has already been handled."))
        if alarm.acknowledged_at is not None:
            return AlarmError("already_acknowledged", _("The alarm has already been acknowledged."))
    if action == HANDLE and alarm.state == "handled":
        return AlarmError("handled", _("The alarm has already been handled."))
    if action == TO_HAZARD:
        if alarm.hazard_id is not None:
            return AlarmError(
                "already_hazard", _("A hidden danger has already been reported for this alarm.")
            )
        if not user.has_perm("hazards.add_hazard"):
            return AlarmError("forbidden", _("You do not have permission for this action."))
    return None


def allowed_alarm_actions(alarm, user) -> list[str]:
    """The actions `user` may take on `alarm` (the buttons shown; the services check again)."""
    return [action for action in ACTIONS if refusal(alarm, user, action) is None]


# -- alarm quality (EEMUA 191 / ISA-18.2) -----------------------------------------------------------


def peak_count(times: Sequence[datetime.datetime], window: datetime.timedelta = QUALITY_WINDOW) -> int:
    """The most alarms in any sliding window (times sorted)."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def floods(times: Sequence[datetime.datetime], window: datetime.timedelta = QUALITY_WINDOW) -> list[dict]:
    """Periods with >= FLOOD_COUNT alarms in `window`: [{"start", "end", "count"}] (times sorted).

    A flood starts at the alarm that makes the count reach the threshold within the window and goes on
    while each new alarm still has FLOOD_COUNT - 1 others in the window before it.
    """
    result: list[dict] = []
    start = 0
    current: dict | None = None
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        flooding = end - start + 1 >= FLOOD_COUNT
        if flooding and current is None:
            current = {"start": times[start], "end": at, "count": end - start + 1}
            result.append(current)
        elif flooding and current is not None:
            current["end"] = at
            current["count"] += 1
        elif not flooding:
            current = None
    return result


def is_chattering(times: Sequence[datetime.datetime]) -> bool:
    """Whether one point+condition was activated >= CHATTER_COUNT times within CHATTER_WINDOW."""
    return peak_count(times, CHATTER_WINDOW) >= CHATTER_COUNT
