"""External alarm sources (a provincial platform's webhook JSON, a CSV upload) feeding the same lifecycle.

Each item is one alarm:

    {"external_id": "HB-2026-000123", "uscc": "91329901MA...", "device": "DEV-A-1", "point": "GT-101",
     "severity": 2, "time": "2026-05-01T08:00:00+08:00", "message": "可燃气体二级报警", "value": 55.0}

`external_id`, `uscc`, `severity` (1–4) and `time` (ISO 8601; without a zone, local time) are
required; `device` and `point` (codes) are optional, and a point needs its device. Alarms are kept as
condition "external" with `external_source` = the platform's name and `external_id`, so importing the
same item twice changes nothing (the `alarm_external_uniq` constraint). A bad row is rejected with
its reasons (by field); the others are imported. When a point already has an open external alarm, a
further one for it raises that alarm's severity in place (an AlarmEvent "external_update" with the
external id) instead of opening a second one (one open alarm per point and condition).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from yingji.core import audit
from yingji.monitoring import escalation_actions, notifications
from yingji.monitoring.models import Alarm, AlarmEvent, Device, Point
from yingji.registry.models import Enterprise

MAX_ITEMS = 5000
CSV_COLUMNS = ("external_id", "uscc", "device", "point", "severity", "time", "message", "value")


@dataclass
class ImportResult:
    imported: int = 0
    merged: int = 0  # raised an open external alarm of the same point in place
    duplicates: int = 0  # already imported (same source and external id)
    rejected: list[dict] = field(default_factory=list)  # {"row", "external_id", "fields": {name: [msg]}}

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "merged": self.merged,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


@dataclass
class _Row:
    number: int
    external_id: str
    enterprise: Enterprise
    device: Device | None
    point: Point | None
    severity: int
    at: datetime.datetime
    message: str
    value: float | None


def _text(item: dict, name: str) -> str:
    value = item.get(name)
    return "" if value is None else str(value).strip()


def _parse(number: int, item, enterprises: dict, devices: dict, points: dict) -> _Row | dict:
    """A checked row, or {field: [messages]}."""
    if not isinstance(item, dict):
        return {"__all__": [_("Each alarm must be an object.")]}
    errors: dict[str, list[str]] = {}
    external_id = _text(item, "external_id")
    if not external_id:
        errors["external_id"] = [_("The external ID is required.")]
    elif len(external_id) > 100:
        errors["external_id"] = [_("At most 100 characters.")]
    enterprise = enterprises.get(_text(item, "uscc"))
    if enterprise is None:
        errors["uscc"] = [_("No enterprise with this unified social credit code in your jurisdiction.")]
    device = point = None
    device_code, point_code = _text(item, "device"), _text(item, "point")
    if device_code:
        device = devices.get(device_code)
        if device is None or (enterprise is not None and device.enterprise_id != enterprise.pk):
            errors["device"] = [_("No such device of this enterprise.")]
            device = None
    if point_code:
        if not device_code:
            errors["point"] = [_("A point needs its device code.")]
        elif device is not None:
            point = points.get((device.pk, point_code))
            if point is None:
                errors["point"] = [_("No such point on this device.")]
    try:
        severity = int(_text(item, "severity"))
        if severity not in (1, 2, 3, 4):
            raise ValueError
    except ValueError:
        errors["severity"] = [_("The severity must be 1, 2, 3 or 4.")]
        severity = 0
    at = _when(item.get("time"))
    if at is None:
        errors["time"] = [_("Give the time as ISO 8601, e.g. 2026-05-01T08:00:00+08:00.")]
    value: float | None = None
    if _text(item, "value"):
        try:
            value = float(_text(item, "value"))
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            errors["value"] = [_("The value must be a finite number.")]
    message = _text(item, "message")
    if len(message) > 300:
        errors["message"] = [_("At most 300 characters.")]
    if errors:
        return errors
    assert enterprise is not None and at is not None
    return _Row(number, external_id, enterprise, device, point, severity, at, message, value)


def _when(raw) -> datetime.datetime | None:
    if isinstance(raw, datetime.datetime):
        parsed: datetime.datetime | None = raw
    else:
        try:
            parsed = parse_datetime(str(raw or "").strip())
        except ValueError:
            return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _lookups(items: list, actor) -> tuple[dict, dict, dict]:
    usccs = {_text(i, "uscc").upper() for i in items if isinstance(i, dict)}
    enterprises = Enterprise.objects.filter(uscc__in=usccs)
    if actor is not None:
        enterprises = Enterprise.objects.for_user(actor).filter(uscc__in=usccs)
    by_uscc = {e.uscc: e for e in enterprises}
    by_uscc.update({e.uscc.lower(): e for e in by_uscc.values()})
    codes = {_text(i, "device") for i in items if isinstance(i, dict)} - {""}
    devices = {d.code: d for d in Device.objects.filter(code__in=codes)}
    points = {(p.device_id, p.code): p for p in Point.objects.filter(device__in=list(devices.values()))}
    return by_uscc, devices, points


def import_alarms(
    items: Iterable, *, source_name: str, actor=None, now: datetime.datetime | None = None
) -> ImportResult:
    """Import external alarms; bad rows are rejected with reasons, the rest imported (idempotent)."""
    now = now or timezone.now()
    source_name = (source_name or "").strip()
    if not source_name or len(source_name) > 50:
        raise ValidationError({"source_name": _("Name the external source (at most 50 characters).")})
    items = list(items)
    if len(items) > MAX_ITEMS:
        raise ValidationError({"alarms": _("At most {n} alarms at a time.").format(n=MAX_ITEMS)})
    enterprises, devices, points = _lookups(items, actor)
    result = ImportResult()
    rows: list[_Row] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        parsed = _parse(number, item, enterprises, devices, points)
        if isinstance(parsed, dict):
            result.rejected.append(
                {
                    "row": number,
                    "external_id": _text(item, "external_id") if isinstance(item, dict) else "",
                    "fields": parsed,
                }
            )
            continue
        if parsed.external_id in seen:
            result.duplicates += 1
            continue
        seen.add(parsed.external_id)
        rows.append(parsed)
    with transaction.atomic():
        _store(rows, source_name, actor, now, result)
        if result.imported or result.merged:
            audit.record(
                "import",
                None,
                user=actor,
                object_type="monitoring.alarm",
                note=f"external alarms from {source_name}: {result.imported} new, {result.merged} merged",
            )
    return result


def _store(rows: list[_Row], source_name: str, actor, now, result: ImportResult) -> None:
    known = set(
        Alarm.objects.filter(
            external_source=source_name, external_id__in=[r.external_id for r in rows]
        ).values_list("external_id", flat=True)
    )
    known |= set(
        AlarmEvent.objects.filter(
            kind="external_update", note__in=[f"{source_name}:{r.external_id}" for r in rows]
        ).values_list("note", flat=True)
    )
    open_by_point = {
        a.point_id: a
        for a in Alarm.objects.select_for_update().filter(
            condition="external", is_open=True, point_id__in=[r.point.pk for r in rows if r.point]
        )
    }
    new: list[Alarm] = []
    events: list[AlarmEvent] = []
    for row in rows:
        if row.external_id in known or f"{source_name}:{row.external_id}" in known:
            result.duplicates += 1
            continue
        existing = open_by_point.get(row.point.pk) if row.point else None
        if existing is not None:
            if row.severity > existing.severity:
                existing.severity, existing.severity_changed_at = row.severity, row.at
                existing.save(update_fields=["severity", "severity_changed_at", "updated_at"])
            events.append(
                AlarmEvent(
                    alarm=existing,
                    at=row.at,
                    kind="external_update",
                    actor=actor,
                    severity=row.severity,
                    value=row.value,
                    note=f"{source_name}:{row.external_id}",
                )
            )
            result.merged += 1
            continue
        enterprise = row.enterprise
        alarm = Alarm(
            point=row.point,
            device=row.device,
            enterprise=enterprise,
            source_id=(row.point.source_id if row.point else (row.device.source_id if row.device else None)),
            division_id=enterprise.division_id,
            condition="external",
            severity=row.severity,
            value=row.value,
            peak_value=row.value,
            message=row.message,
            raised_at=row.at,
            external_source=source_name,
            external_id=row.external_id,
        )
        if row.point:
            open_by_point[row.point.pk] = alarm
        new.append(alarm)
    Alarm.objects.bulk_create(new)
    events += [
        AlarmEvent(alarm=a, at=a.raised_at, kind="raised", actor=actor, severity=a.severity, value=a.value)
        for a in new
    ]
    AlarmEvent.objects.bulk_create(events)
    result.imported += len(new)
    if new:
        escalation_actions.attach_ack_deadlines(new, now=now)
        names = {a.pk: (a.point.name if a.point else a.message, a.enterprise.name) for a in new}
        notifications.notify(new, now=now, names=names)


def rows_from_csv(data: bytes) -> list[dict]:
    """The rows of a CSV upload (UTF-8, with or without BOM; GB18030 accepted) as dicts by column."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError({"file": _("The file is not UTF-8 or GB18030 text.")})
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("external_id", "uscc", "severity", "time") if c not in header]
    if missing:
        raise ValidationError({"file": _("Missing columns: {columns}.").format(columns=", ".join(missing))})
    return [{(k or "").strip(): v for k, v in row.items()} for row in reader]
