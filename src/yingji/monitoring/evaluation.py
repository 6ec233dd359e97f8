"""Alarm evaluation of committed batches of new readings (the hot path).

`evaluate(readings, now=...)` runs the rules of `rules.py` against each reading, keeping every
point's configuration and alarm state in an in-process cache, and writes to the database only on
transitions (raise, severity change, clear, re-trigger), in bulk, in one transaction per batch.

Speed: most readings are normal values of points with no open alarm and no pending delay; those
take the fast path (one dict lookup and two comparisons). Everything else takes the slow path.

The cache is rebuilt from the database (point configs, open alarms, offline devices) when a
`Point` or `Device` is saved or deleted in this process, and, for changes made by other processes,
when a cheap fingerprint (count and max id of points, last audit record of a point) changes; the
fingerprint and the offline devices are read at most every REFRESH_SECONDS of `now`.

Readings older than the last one evaluated for their point are stored by the ingest but not
evaluated (alarms follow time forwards). A reading outside the physical range raises OUT_OF_RANGE
and is not used for thresholds, rate or stuck detection.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yingji.monitoring import rules
from yingji.monitoring.models import Alarm, AlarmEvent, Device, Point
from yingji.monitoring.telemetry import RawReading

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0
INF = float("inf")


# -- the cache --------------------------------------------------------------------------------------


class PointRule:
    """One point's configuration and evaluation state."""

    __slots__ = (
        "id",
        "device_id",
        "enterprise_id",
        "source_id",
        "division_id",
        "name",
        "ladders",
        "deadband",
        "on_delay",
        "off_delay",
        "range_low",
        "range_high",
        "rate_limit",
        "stuck_after",
        "rollup_item",
        "qlo",
        "qhi",
        "rlo",
        "rhi",
        "simple",
        "fast",
        "trackers",
        "flags",
        "last_value",
        "last_ts",
        "changed_at",
        "offline_since",
    )

    def __init__(self, row: dict) -> None:
        self.id = row["id"]
        self.device_id = row["device_id"]
        self.enterprise_id = row["enterprise_id"]
        self.source_id = row["source_id"]
        self.division_id = row["division_id"]
        self.name = row["name"]
        if row["scheme"] == "four_colour":
            self.ladders = rules.colour_ladder(
                row["direction"], row["blue"], row["yellow"], row["orange"], row["red"]
            )
            self.rollup_item = row["rollup_item"] or None
        else:
            self.ladders = rules.two_level_ladders(row["high1"], row["high2"], row["low1"], row["low2"])
            self.rollup_item = None
        self.deadband = row["deadband"] or 0.0
        self.on_delay = float(row["on_delay_s"] or 0)
        self.off_delay = float(row["off_delay_s"] or 0)
        self.range_low = row["range_low"]
        self.range_high = row["range_high"]
        self.rate_limit = row["rate_limit"]
        self.stuck_after = row["stuck_after_s"]
        self.qlo, self.qhi = rules.quiet_band(self.ladders)
        self.rlo = self.range_low if self.range_low is not None else -INF
        self.rhi = self.range_high if self.range_high is not None else INF
        self.simple = self.rate_limit is None and not self.stuck_after
        self.trackers = {condition: rules.Tracker() for condition in self.ladders}
        self.flags: dict[str, int] = {}  # rate / stuck / out_of_range in force
        # The evaluation cursor is the evaluator's own: Point.last_ts is moved by the ingest before the
        # evaluation runs, so taking it would skip the batch at hand.
        self.last_value: float | None = None
        self.last_ts: datetime.datetime | None = None
        self.changed_at: datetime.datetime | None = None
        self.offline_since: datetime.datetime | None = None
        self.fast = False  # decided after the first reading

    def settle(self, value: float) -> None:
        """Whether the next reading may take the fast path: nothing open, pending or special."""
        self.fast = (
            self.simple
            and self.offline_since is None
            and not self.flags
            and self.qlo < value < self.qhi
            and all(t.level == 0 for t in self.trackers.values())
        )


@dataclass
class Cache:
    rules: dict[int, PointRule] = field(default_factory=dict)
    by_device: dict[int, list[PointRule]] = field(default_factory=dict)
    by_source: dict[int, list[PointRule]] = field(default_factory=dict)
    # open alarms: key → [alarm id (or unsaved Alarm), severity, peak x, sign]; keys ("p", point,
    # condition),
    # ("s", source, item) for roll-ups and ("d", device) for offline
    open: dict[tuple, list] = field(default_factory=dict)
    # last cleared alarm per key: (alarm id, cleared at), for re-triggers
    cleared: dict[tuple, tuple[int, datetime.datetime]] = field(default_factory=dict)
    offline: dict[int, datetime.datetime] = field(default_factory=dict)  # device → offline since
    fingerprint: tuple = ()
    checked_at: datetime.datetime | None = None


_cache: Cache | None = None
_dirty = True

POINT_FIELDS = (
    "id",
    "device_id",
    "enterprise_id",
    "source_id",
    "division_id",
    "name",
    "scheme",
    "direction",
    "high1",
    "high2",
    "low1",
    "low2",
    "blue",
    "yellow",
    "orange",
    "red",
    "rollup_item",
    "deadband",
    "on_delay_s",
    "off_delay_s",
    "range_low",
    "range_high",
    "rate_limit",
    "stuck_after_s",
    "last_ts",
)


def reset() -> None:
    """Forget everything (tests; after a failed batch). The next call rebuilds from the database."""
    global _cache, _dirty
    _cache, _dirty = None, True


@receiver(post_save, sender=Point, dispatch_uid="monitoring_eval_point_saved")
@receiver(post_delete, sender=Point, dispatch_uid="monitoring_eval_point_deleted")
@receiver(post_save, sender=Device, dispatch_uid="monitoring_eval_device_saved")
@receiver(post_delete, sender=Device, dispatch_uid="monitoring_eval_device_deleted")
def _config_changed(**kwargs) -> None:
    global _dirty
    _dirty = True


def _fingerprint() -> tuple:
    from yingji.core.models import AuditLog

    points = Point.objects.aggregate(n=Count("id"), top=Max("id"))
    audited = AuditLog.objects.filter(object_type="monitoring.point").aggregate(top=Max("id"))
    return points["n"], points["top"], audited["top"]


def _offline_devices() -> tuple[dict[int, datetime.datetime], dict[int, list]]:
    """(device → offline since, device → [open OFFLINE alarm id, severity, peak, sign]).

    A device is offline for the evaluator while its OFFLINE alarm is open, since the alarm was raised
    (the ingest marks a device online again as soon as data arrives, before the evaluation runs).
    """
    since: dict[int, datetime.datetime] = {}
    alarms: dict[int, list] = {}
    rows = Alarm.objects.filter(condition="offline", is_open=True, device__isnull=False)
    for pk, device_id, severity, raised_at in rows.values_list("id", "device_id", "severity", "raised_at"):
        since[device_id] = raised_at
        alarms[device_id] = [pk, severity, -INF, 0]
    return since, alarms


def _build(now: datetime.datetime, previous: Cache | None = None) -> Cache:
    """The cache from the database; the evaluation cursor of each point (last reading, last change)
    carries over from `previous`, so a rebuild neither skips nor repeats readings."""
    cache = Cache(fingerprint=_fingerprint(), checked_at=now)
    if previous is not None:
        cache.cleared = previous.cleared
    for row in Point.objects.filter(is_active=True, device__is_active=True).values(*POINT_FIELDS):
        rule = PointRule(row)
        old = previous.rules.get(rule.id) if previous is not None else None
        # (only a cursor the stored readings have reached: anything else is not this point's history)
        if (
            old is not None
            and old.last_ts is not None
            and row["last_ts"] is not None
            and old.last_ts <= row["last_ts"]
        ):
            rule.last_ts, rule.last_value, rule.changed_at = old.last_ts, old.last_value, old.changed_at
        cache.rules[rule.id] = rule
        cache.by_device.setdefault(rule.device_id, []).append(rule)
        if rule.rollup_item and rule.source_id:
            cache.by_source.setdefault(rule.source_id, []).append(rule)
    opened = Alarm.objects.filter(is_open=True).exclude(condition__in=("external", "offline"))
    for pk, point_id, source_id, condition, item, severity, peak in opened.values_list(
        "id", "point_id", "source_id", "condition", "rollup_item", "severity", "peak_value"
    ):
        sign = 0
        if point_id is not None:
            key: tuple = ("p", point_id, condition)
            rule = cache.rules.get(point_id)
            if rule is not None and condition in rule.trackers:
                rule.trackers[condition].level = severity
                sign = rule.ladders[condition][0]
            elif rule is not None and condition in ("rate", "stuck", "out_of_range"):
                rule.flags[condition] = severity
        else:
            key = ("s", source_id, item)
        cache.open[key] = [pk, severity, sign * peak if (sign and peak is not None) else -INF, sign]
    _apply_offline(cache, _offline_devices())
    return cache


def _apply_offline(cache: Cache, offline: tuple[dict[int, datetime.datetime], dict[int, list]]) -> None:
    """Take the offline devices and their OFFLINE alarms found by the periodic task (another process)."""
    since, alarms = offline
    cache.offline = since
    for key in [k for k in cache.open if k[0] == "d" and k[1] not in alarms]:
        del cache.open[key]  # cleared or handled elsewhere
    for device_id, entry in alarms.items():
        if ("d", device_id) not in cache.open:
            cache.open[("d", device_id)] = entry
    for device_id, rules_ in cache.by_device.items():
        offline_since = since.get(device_id)
        for rule in rules_:
            rule.offline_since = offline_since
            if offline_since is not None:
                rule.fast = False


def _current(now: datetime.datetime) -> Cache:
    global _cache, _dirty
    if _cache is None or _dirty:
        _dirty = False
        _cache = _build(now, _cache)
        return _cache
    checked = _cache.checked_at
    if checked is None or abs((now - checked).total_seconds()) >= REFRESH_SECONDS:
        _cache.checked_at = now
        if _fingerprint() != _cache.fingerprint:
            _cache = _build(now, _cache)
        else:
            _apply_offline(_cache, _offline_devices())
    return _cache


# -- one batch --------------------------------------------------------------------------------------


class Batch:
    """The transitions of one batch, written together at the end."""

    def __init__(self, cache: Cache, now: datetime.datetime) -> None:
        self.cache = cache
        self.now = now
        self.new: dict[tuple, Alarm] = {}  # key → unsaved alarm (may also be cleared in the batch)
        self.new_list: list[Alarm] = []
        self.changes: dict[int, dict] = {}  # alarm id → fields to update
        self.events: list[tuple] = []  # (alarm id or Alarm, kind, at, severity, value)
        self.retriggered: list[int] = []
        self.rises: list[tuple] = []  # (alarm id or Alarm) whose severity rose
        self.back_online: dict[int, datetime.datetime] = {}
        self.touched_sources: set[int] = set()

    # a transition of one key
    def transition(
        self, key: tuple, old: int, new: int, at, value, threshold, base: dict, *, sign: int = 0
    ) -> None:
        """Move the alarm of `key` from level `old` to `new` (0 = none); `sign` orients the peak value
        of threshold conditions (0: no peak kept)."""
        entry = self.cache.open.get(key)
        if old == 0 and new > 0:
            self._raise(key, new, at, value, threshold, base, sign)
        elif entry is None:
            return  # closed behind our back (handled by someone): nothing to move
        elif new == 0:
            self._clear(key, entry, at, value)
        else:
            self._severity(key, entry, old, new, at, value, threshold)

    def _raise(self, key, severity, at, value, threshold, base, sign) -> None:
        alarm = Alarm(
            severity=severity,
            state="active",
            is_open=True,
            value=value,
            peak_value=value,
            threshold=threshold,
            raised_at=at,
            **base,
        )
        self.new[key] = alarm
        self.new_list.append(alarm)
        peak = sign * value if (sign and value is not None) else -INF
        self.cache.open[key] = [alarm, severity, peak, sign]
        self.events.append((alarm, "raised", at, severity, value))
        previous = self.cache.cleared.get(key)
        if previous is not None and (at - previous[1]).total_seconds() <= rules.RETRIGGER_WINDOW_S:
            self.retriggered.append(previous[0])
            self.events.append((alarm, "retriggered", at, severity, value))

    def _clear(self, key, entry, at, value) -> None:
        ref = entry[0]
        del self.cache.open[key]
        fields = {"is_open": False, "state": "cleared", "cleared_at": at, **_peak(entry)}
        if isinstance(ref, Alarm):
            for name, v in fields.items():
                setattr(ref, name, v)
            self.cache.cleared[key] = (ref, at)
        else:
            self.changes.setdefault(ref, {}).update(fields)
            self.cache.cleared[key] = (ref, at)
        self.events.append((ref, "cleared", at, entry[1], value))

    def _severity(self, key, entry, old, new, at, value, threshold) -> None:
        ref = entry[0]
        entry[1] = new
        fields = {"severity": new, "severity_changed_at": at, "threshold": threshold, **_peak(entry)}
        if isinstance(ref, Alarm):
            for name, v in fields.items():
                setattr(ref, name, v)
        else:
            self.changes.setdefault(ref, {}).update(fields)
        self.events.append((ref, "severity_up" if new > old else "severity_down", at, new, value))
        if new > old:
            self.rises.append(ref)


def _peak(entry: list) -> dict:
    sign = entry[3]
    return {"peak_value": sign * entry[2]} if sign and entry[2] > -INF else {}


def _threshold_of(rule: PointRule, condition: str, level: int) -> float | None:
    sign, ladder = rule.ladders[condition]
    for severity, limit in ladder:
        if severity == level:
            return sign * limit
    return None


def _base(rule: PointRule, condition: str) -> dict:
    return {
        "point_id": rule.id,
        "device_id": rule.device_id,
        "enterprise_id": rule.enterprise_id,
        "source_id": rule.source_id,
        "division_id": rule.division_id,
        "condition": condition,
    }


def _flag(batch: Batch, rule: PointRule, condition: str, on: bool, at, value, threshold=None) -> None:
    old = rule.flags.get(condition, 0)
    new = 1 if on else 0
    if old == new:
        return
    if new:
        rule.flags[condition] = 1
    else:
        del rule.flags[condition]
    batch.transition(("p", rule.id, condition), old, new, at, value, threshold, _base(rule, condition))


def _slow(batch: Batch, rule: PointRule, ts: datetime.datetime, value: float) -> None:
    suppressed = False
    if rule.offline_since is not None:
        if ts > rule.offline_since:
            _back_online(batch, rule.device_id, ts)
        else:
            suppressed = True  # backlog of the offline period: no new threshold alarms
    oor = not (rule.rlo <= value <= rule.rhi)
    if oor or "out_of_range" in rule.flags:
        threshold = (
            rule.range_high if (rule.range_high is not None and value > rule.range_high) else rule.range_low
        )
        _flag(batch, rule, "out_of_range", oor, ts, value, threshold)
    if oor:
        return  # the value is not physical: no threshold, rate or stuck conclusions from it
    open_ = batch.cache.open
    for condition, (sign, ladder) in rule.ladders.items():
        tracker = rule.trackers[condition]
        old = tracker.level
        x = sign * value
        wanted = rules.level_for(x, ladder, old, rule.deadband)
        new = tracker.step(wanted, ts, rule.on_delay, rule.off_delay)
        if new > old and suppressed:
            tracker.level = new = old
        key = ("p", rule.id, condition)
        entry = open_.get(key)
        if entry is not None and x > entry[2]:
            entry[2] = x  # peak, in the dangerous direction
        if new != old:
            threshold = _threshold_of(rule, condition, new or old)
            batch.transition(key, old, new, ts, value, threshold, _base(rule, condition), sign=sign)
            if rule.rollup_item:
                batch.touched_sources.add(rule.source_id)
    last_ts, last_value = rule.last_ts, rule.last_value
    if rule.rate_limit is not None and last_ts is not None and last_value is not None:
        rate = rules.rate_per_minute(last_value, last_ts, value, ts)
        _flag(batch, rule, "rate", rate > rule.rate_limit, ts, value, rule.rate_limit)
    if rule.stuck_after:
        if value != last_value or rule.changed_at is None:
            rule.changed_at = ts
            if "stuck" in rule.flags:
                _flag(batch, rule, "stuck", False, ts, value)
        elif (ts - rule.changed_at).total_seconds() >= rule.stuck_after:
            _flag(batch, rule, "stuck", True, ts, value)


def _back_online(batch: Batch, device_id: int, ts: datetime.datetime) -> None:
    batch.back_online[device_id] = ts
    batch.cache.offline.pop(device_id, None)
    for rule in batch.cache.by_device.get(device_id, ()):
        rule.offline_since = None
    entry = batch.cache.open.get(("d", device_id))
    if entry is not None:
        batch._clear(("d", device_id), entry, ts, None)


def _rollups(batch: Batch, source_ids: set[int], at: datetime.datetime) -> None:
    """GB 50863: raise, move or clear the ROLLUP alarms of the sources whose colour levels changed.

    A roll-up alarm is raised only when the roll-up makes a level higher than the highest of its
    members (an item above its worst point, the pond above its worst item): the point alarms
    already say the rest.
    """
    for source_id in source_ids:
        members = batch.cache.by_source.get(source_id, [])
        if not members:
            continue
        items: dict[str, list[int]] = defaultdict(list)
        for rule in members:
            items[rule.rollup_item].append(rule.trackers["colour"].level if "colour" in rule.trackers else 0)
        per_item, pond = rules.rollup(items)
        levels = {item: (level if level > max(items[item]) else 0) for item, level in per_item.items()}
        levels[""] = pond if pond > max(per_item.values(), default=0) else 0
        first = members[0]
        for item, level in levels.items():
            key = ("s", source_id, item)
            entry = batch.cache.open.get(key)
            old = entry[1] if entry is not None else 0
            if level == old:
                continue
            base = {
                "point_id": None,
                "device_id": None,
                "enterprise_id": first.enterprise_id,
                "source_id": source_id,
                "division_id": first.division_id,
                "condition": "rollup",
                "rollup_item": item,
            }
            batch.transition(key, old, level, at, None, None, base)


def _scan(batch: Batch, readings: list[RawReading]) -> None:
    known = batch.cache.rules
    for point_id, ts, value in readings:
        rule = known.get(point_id)
        if rule is None:
            continue
        last_ts = rule.last_ts
        if last_ts is not None and ts <= last_ts:
            continue  # late reading: stored, not evaluated
        if rule.fast and rule.qlo < value < rule.qhi and rule.rlo <= value <= rule.rhi:
            rule.last_ts = ts
            rule.last_value = value
            continue
        _slow(batch, rule, ts, value)
        rule.last_ts = ts
        rule.last_value = value
        rule.settle(value)


def evaluate(readings: list[RawReading], *, now: datetime.datetime) -> None:
    """Evaluate a committed batch of new readings against their points' alarm rules."""
    if not readings:
        return
    cache = _current(now)
    batch = Batch(cache, now)
    _scan(batch, readings)
    if batch.touched_sources:
        _rollups(batch, batch.touched_sources, now)
    if batch.new_list or batch.changes or batch.back_online or batch.retriggered:
        try:
            write(batch)
        except Exception:
            log.exception("alarm evaluation could not write its transitions; rebuilding the cache")
            reset()
            raise


# -- writing ----------------------------------------------------------------------------------------


def write(batch: Batch) -> None:
    with transaction.atomic():
        _write_new(batch)
        _write_changes(batch)
        if batch.retriggered:
            ids = [ref.pk if isinstance(ref, Alarm) else ref for ref in batch.retriggered]
            for pk in ids:
                Alarm.objects.filter(pk=pk).update(retriggers=F("retriggers") + 1)
        if batch.back_online:
            Device.objects.filter(pk__in=list(batch.back_online)).update(is_online=True, offline_since=None)
        AlarmEvent.objects.bulk_create(
            AlarmEvent(
                alarm_id=ref.pk if isinstance(ref, Alarm) else ref,
                kind=kind,
                at=at,
                severity=severity,
                value=value,
            )
            for ref, kind, at, severity, value in batch.events
        )
        _deadlines(batch)
        _notify(batch)
    # unsaved references in the cache become ids
    for entry in batch.cache.open.values():
        if isinstance(entry[0], Alarm):
            entry[0] = entry[0].pk
    for key, (ref, at) in list(batch.cache.cleared.items()):
        if isinstance(ref, Alarm):
            batch.cache.cleared[key] = (ref.pk, at)


def _write_new(batch: Batch) -> None:
    if not batch.new_list:
        return
    # An IntegrityError here means another process opened one of these alarms: evaluate() resets the
    # cache and the next batch starts again from the database.
    Alarm.objects.bulk_create(batch.new_list)
    if any(alarm.pk is None for alarm in batch.new_list):  # backends without RETURNING
        raise RuntimeError("bulk_create did not return the ids of the new alarms")


def _write_changes(batch: Batch) -> None:
    if not batch.changes:
        return
    still_open = set(
        Alarm.objects.filter(pk__in=list(batch.changes), is_open=True).values_list("pk", flat=True)
    )
    by_fields: dict[tuple, list[Alarm]] = defaultdict(list)
    for pk, fields in batch.changes.items():
        if pk not in still_open:
            continue
        alarm = Alarm(pk=pk, **fields)
        by_fields[tuple(sorted(fields))].append(alarm)
    for names, alarms in by_fields.items():
        Alarm.objects.bulk_update(alarms, list(names))


def _deadlines(batch: Batch) -> None:
    """Put each new open alarm on the acknowledgement ladder; bring risen ones forward."""
    from yingji.monitoring import escalation_actions

    alarms = [a for a in batch.new_list if a.is_open]
    if alarms:
        escalation_actions.attach_ack_deadlines(alarms, now=batch.now)
    risen = [
        (ref, fields["severity"], fields["severity_changed_at"])
        for ref, fields in batch.changes.items()
        if "severity" in fields and fields.get("is_open", True)
    ]
    if risen:
        escalation_actions.hasten_ack_deadlines(risen)


def _notify(batch: Batch) -> None:
    from yingji.monitoring import notifications

    memo: dict = {}
    names = _names(batch)
    notifications.notify(list(batch.new_list), now=batch.now, names=names, memo=memo)
    rises = [ref.pk if isinstance(ref, Alarm) else ref for ref in batch.rises]
    rises = [pk for pk in rises if pk not in {a.pk for a in batch.new_list}]
    if rises:
        risen = list(Alarm.objects.filter(pk__in=rises, is_open=True).select_related("point", "enterprise"))
        names = {a.pk: (a.point.name if a.point_id else "", a.enterprise.name) for a in risen}
        notifications.notify(risen, kind="severity_up", now=batch.now, names=names, memo=memo)


def _names(batch: Batch) -> dict[int, tuple[str, str]]:
    """(point name, enterprise name) of each new alarm, for the messages."""
    from yingji.registry.models import Enterprise

    rules_ = batch.cache.rules
    enterprises = dict(
        Enterprise.objects.filter(pk__in={a.enterprise_id for a in batch.new_list}).values_list("id", "name")
    )
    return {
        a.pk: (rules_[a.point_id].name if a.point_id in rules_ else "", enterprises.get(a.enterprise_id, ""))
        for a in batch.new_list
    }
