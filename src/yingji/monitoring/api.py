"""/api/v1/monitoring: devices and points (configuration), chart series, alarms and their actions,
the overview counts and the alarm-quality figures. (The ingest endpoint and external alarms are
their own routers under /api/v1/monitoring/ingest and /external-alarms.)

Bad thresholds are a 400 `invalid_data` naming the fields; a refused alarm action is a 409 with the
rules' code (403 `forbidden` without the permission or outside the jurisdiction).
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.monitoring import rules, rules_config, series, services_config
from yingji.monitoring.filters import AlarmFilterSet, DeviceFilterSet, PointFilterSet
from yingji.monitoring.models import Alarm, Device, Point
from yingji.monitoring.views_alarms import console_order
from yingji.monitoring.views_overview import overview_rows
from yingji.registry.models import Enterprise, MajorHazardSource

router = Router(tags=["monitoring"])


class DeviceIn(Schema):
    enterprise: int | None = Field(None, description="Enterprise ID")
    source: int | None = Field(None, description="Major hazard source ID (of the same enterprise)")
    code: str | None = Field(None, description="Unique device code (the MQTT topic's device part)")
    name: str | None = None
    sampling_period_s: int | None = None
    offline_after_periods: int | None = None
    is_active: bool | None = None


class PointIn(Schema):
    device: int | None = Field(None, description="Device ID (creation only)")
    code: str | None = None
    name: str | None = None
    kind: str | None = None
    unit: str | None = None
    range_low: float | None = None
    range_high: float | None = None
    sampling_period_s: int | None = None
    scheme: str | None = Field(None, description="two_level or four_colour")
    high1: float | None = None
    high2: float | None = None
    low1: float | None = None
    low2: float | None = None
    direction: str | None = Field(None, description="high or low (four-colour scheme)")
    blue: float | None = None
    yellow: float | None = None
    orange: float | None = Field(
        None, description="Derived from red for phreatic lines and displacement when empty"
    )
    red: float | None = None
    rollup_item: str | None = None
    deadband: float | None = None
    on_delay_s: int | None = None
    off_delay_s: int | None = None
    rate_limit: float | None = None
    stuck_after_s: int | None = None
    is_active: bool | None = None
    apply_defaults: bool = Field(False, description="Start from the kind's defaults (given fields win)")


class AcknowledgeIn(Schema):
    note: str = ""


class HandleIn(Schema):
    disposal: str = ""


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def serialize_device(device: Device) -> dict:
    return {
        "id": device.pk,
        "code": device.code,
        "name": device.name,
        "enterprise": device.enterprise_id,
        "source": device.source_id,
        "division": device.division_id,
        "sampling_period_s": device.sampling_period_s,
        "offline_after_periods": device.offline_after_periods,
        "is_active": device.is_active,
        "is_online": device.is_online,
        "last_seen_at": _when(device.last_seen_at),
        "offline_since": _when(device.offline_since),
        "has_token": bool(device.token_hash),
    }


def serialize_point(point: Point) -> dict:
    data: dict[str, Any] = {name: getattr(point, name) for name in services_config.POINT_FIELDS}
    data.update(
        {
            "id": point.pk,
            "device": point.device_id,
            "enterprise": point.enterprise_id,
            "source": point.source_id,
            "division": point.division_id,
            "last_value": point.last_value,
            "last_ts": _when(point.last_ts),
        }
    )
    return data


def serialize_alarm(alarm: Alarm, user) -> dict:
    return {
        "id": alarm.pk,
        "point": alarm.point_id,
        "device": alarm.device_id,
        "enterprise": alarm.enterprise_id,
        "source": alarm.source_id,
        "division": alarm.division_id,
        "condition": alarm.condition,
        "rollup_item": alarm.rollup_item,
        "severity": alarm.severity,
        "state": alarm.state,
        "is_open": alarm.is_open,
        "value": alarm.value,
        "peak_value": alarm.peak_value,
        "threshold": alarm.threshold,
        "message": alarm.message,
        "raised_at": _when(alarm.raised_at),
        "acknowledged_at": _when(alarm.acknowledged_at),
        "acknowledged_by": alarm.acknowledged_by_id,
        "handled_at": _when(alarm.handled_at),
        "handled_by": alarm.handled_by_id,
        "disposal": alarm.disposal,
        "cleared_at": _when(alarm.cleared_at),
        "retriggers": alarm.retriggers,
        "hazard": alarm.hazard_id,
        "allowed_actions": rules.allowed_alarm_actions(alarm, user),
    }


def _device(request, device_id: int) -> Device:
    try:
        return Device.objects.for_user(request.user).select_related("enterprise").get(pk=device_id)
    except Device.DoesNotExist:
        raise Http404 from None


def _point(request, point_id: int) -> Point:
    try:
        return Point.objects.for_user(request.user).select_related("device").get(pk=point_id)
    except Point.DoesNotExist:
        raise Http404 from None


def _alarm(request, alarm_id: int) -> Alarm:
    try:
        return Alarm.objects.for_user(request.user).get(pk=alarm_id)
    except Alarm.DoesNotExist:
        raise Http404 from None


def _device_fields(request, payload: DeviceIn) -> dict:
    """The set fields, with enterprise and source IDs resolved inside the user's jurisdiction."""
    fields = payload.dict(exclude_unset=True)
    if "enterprise" in fields:
        enterprise = Enterprise.objects.for_user(request.user).filter(pk=fields["enterprise"]).first()
        if enterprise is None:
            raise ValidationError({"enterprise": _("Unknown enterprise, or outside your jurisdiction.")})
        fields["enterprise"] = enterprise
    if fields.get("source") is not None:
        source = MajorHazardSource.objects.for_user(request.user).filter(pk=fields["source"]).first()
        if source is None:
            raise ValidationError({"source": _("Unknown major hazard source, or outside your jurisdiction.")})
        fields["source"] = source
    for name in ("code", "name"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return {name: value for name, value in fields.items() if value is not None or name == "source"}


# -- devices --------------------------------------------------------------------------------------


@router.get("/devices", summary="Devices in your jurisdiction (paginated)")
def list_devices(request):
    """Filters: q, division (code prefix), enterprise, source, online=yes|no, sort."""
    require_perm(request, "monitoring.view_device")
    queryset = filtered_or_400(DeviceFilterSet, request, Device.objects.for_user(request.user))
    return page_of(queryset, request, serialize_device)


@router.post("/devices", response={201: dict}, summary="Add a device; the answer holds its token, shown once")
def create_device(request, payload: DeviceIn):
    require_perm(request, "monitoring.add_device")
    fields = _device_fields(request, payload)
    fields.setdefault("enterprise", None)
    if fields["enterprise"] is None:
        raise ValidationError({"enterprise": _("This field is required.")})
    device, token = services_config.create_device(actor=request.user, **fields)
    return Status(201, {**serialize_device(device), "token": token})


@router.get("/devices/{int:device_id}", summary="One device with its points")
def get_device(request, device_id: int):
    require_perm(request, "monitoring.view_device")
    device = _device(request, device_id)
    return {**serialize_device(device), "points": [serialize_point(p) for p in device.points.all()]}


@router.patch("/devices/{int:device_id}", summary="Change a device")
def update_device(request, device_id: int, payload: DeviceIn):
    require_perm(request, "monitoring.change_device")
    device = services_config.update_device(
        _device(request, device_id), actor=request.user, **_device_fields(request, payload)
    )
    return serialize_device(device)


@router.post("/devices/{int:device_id}/token", summary="Issue a new token (the old one stops working)")
def rotate_token(request, device_id: int):
    require_perm(request, "monitoring.change_device")
    device = _device(request, device_id)
    token = services_config.rotate_device_token(device, actor=request.user)
    return {**serialize_device(device), "token": token}


@router.delete("/devices/{int:device_id}", response={204: None}, summary="Delete a device with its points")
def delete_device(request, device_id: int):
    require_perm(request, "monitoring.delete_device")
    services_config.delete_device(_device(request, device_id), actor=request.user)
    return Status(204, None)


# -- points ---------------------------------------------------------------------------------------


def _point_fields(payload: PointIn) -> dict:
    fields = payload.dict(exclude_unset=True)
    fields.pop("device", None)
    apply = fields.pop("apply_defaults", False)
    if apply:
        defaults = rules_config.apply_defaults(fields.get("kind") or "", fields)
        fields = {**{k: v for k, v in defaults.items() if k in services_config.POINT_FIELDS}, **fields}
        if "deadband" not in payload.dict(exclude_unset=True) and "deadband" in defaults:
            fields["deadband"] = defaults["deadband"]
    for name in ("code", "name", "unit", "rollup_item"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


@router.get("/points", summary="Monitoring points in your jurisdiction (paginated)")
def list_points(request):
    """Filters: division, enterprise, source, device, kind, sort."""
    require_perm(request, "monitoring.view_point")
    queryset = filtered_or_400(PointFilterSet, request, Point.objects.for_user(request.user))
    return page_of(queryset, request, serialize_point)


@router.get("/points/defaults", summary="The default settings offered for a kind of point")
def point_defaults(request, kind: str, name: str = ""):
    require_perm(request, "monitoring.view_point")
    return {"kind": kind, "defaults": rules_config.defaults_for(kind, name=name)}


@router.post("/points", response={201: dict}, summary="Add a point to a device")
def create_point(request, payload: PointIn):
    require_perm(request, "monitoring.add_point")
    if payload.device is None:
        raise ValidationError({"device": _("This field is required.")})
    device = Device.objects.for_user(request.user).filter(pk=payload.device).first()
    if device is None:
        raise ValidationError({"device": _("Unknown device, or outside your jurisdiction.")})
    point = services_config.create_point(actor=request.user, device=device, **_point_fields(payload))
    return Status(201, serialize_point(point))


@router.get("/points/{int:point_id}", summary="One point")
def get_point(request, point_id: int):
    require_perm(request, "monitoring.view_point")
    return serialize_point(_point(request, point_id))


@router.patch("/points/{int:point_id}", summary="Change a point (thresholds are checked together)")
def update_point(request, point_id: int, payload: PointIn):
    require_perm(request, "monitoring.change_point")
    point = services_config.update_point(
        _point(request, point_id), actor=request.user, **_point_fields(payload)
    )
    return serialize_point(point)


@router.delete("/points/{int:point_id}", response={204: None}, summary="Delete a point")
def delete_point(request, point_id: int):
    require_perm(request, "monitoring.delete_point")
    services_config.delete_point(_point(request, point_id), actor=request.user)
    return Status(204, None)


def _window(
    start: datetime.datetime | None, end: datetime.datetime | None
) -> tuple[datetime.datetime, datetime.datetime]:
    end = end or timezone.now()
    start = start or end - series.DEFAULT_SPAN
    if timezone.is_naive(end):
        end = timezone.make_aware(end)
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    if start >= end:
        raise ApiError(
            400, "invalid_window", _("start must be before end."), {"start": [_("start must be before end.")]}
        )
    if end - start > series.MAX_SPAN:
        raise ApiError(
            400, "invalid_window", _("The window is too long."), {"start": [_("The window is too long.")]}
        )
    return start, end


@router.get("/points/{int:point_id}/series", summary="Chart data: raw, 1-minute or 1-hour buckets by span")
def point_series(
    request, point_id: int, start: datetime.datetime | None = None, end: datetime.datetime | None = None
):
    """`data` is `[[time ms, min, avg, max], ...]`; `resolution` is raw (≤ 2 h), minute (≤ 3 days) or
    hour; `thresholds` lists the point's thresholds with their severity. Default window: 24 hours."""
    require_perm(request, "monitoring.view_point")
    point = _point(request, point_id)
    start, end = _window(start, end)
    return series.point_series(point, start=start, end=end)


# -- alarms ---------------------------------------------------------------------------------------


@contextmanager
def _refusals():
    try:
        yield
    except rules.AlarmError as error:
        raise ApiError(403 if error.code == "forbidden" else 409, error.code, error.reason) from None


@router.get("/alarms", summary="Alarms in your jurisdiction, open first (paginated)")
def list_alarms(request):
    """Filters: state, open=yes|no, severity, condition, division, enterprise, source, raised_from, raised_to."""
    require_perm(request, "monitoring.view_alarm")
    queryset = filtered_or_400(AlarmFilterSet, request, Alarm.objects.for_user(request.user))
    return page_of(console_order(queryset), request, lambda alarm: serialize_alarm(alarm, request.user))


@router.get("/alarms/{int:alarm_id}", summary="One alarm with its history")
def get_alarm(request, alarm_id: int):
    require_perm(request, "monitoring.view_alarm")
    alarm = _alarm(request, alarm_id)
    events = [
        {
            "at": _when(e.at),
            "kind": e.kind,
            "actor": e.actor_id,
            "severity": e.severity,
            "value": e.value,
            "note": e.note,
        }
        for e in alarm.events.all()
    ]
    return {**serialize_alarm(alarm, request.user), "events": events}


@router.post("/alarms/{int:alarm_id}/acknowledge", summary="Acknowledge an alarm")
def acknowledge(request, alarm_id: int, payload: AcknowledgeIn):
    from yingji.monitoring import services

    alarm = _alarm(request, alarm_id)
    with _refusals():
        alarm = services.acknowledge_alarm(alarm, actor=request.user, note=payload.note)
    return serialize_alarm(alarm, request.user)


@router.post("/alarms/{int:alarm_id}/handle", summary="Handle an alarm with disposal notes")
def handle(request, alarm_id: int, payload: HandleIn):
    from yingji.monitoring import services

    alarm = _alarm(request, alarm_id)
    if not payload.disposal.strip():
        with _refusals():  # a refusal (no permission, already handled) comes before a missing note
            error = rules.refusal(alarm, request.user, rules.HANDLE)
            if error is not None:
                raise error
        raise ValidationError({"disposal": _("Describe how the alarm was dealt with.")})
    with _refusals():
        alarm = services.handle_alarm(alarm, actor=request.user, disposal=payload.disposal)
    return serialize_alarm(alarm, request.user)


@router.post(
    "/alarms/{int:alarm_id}/hazard", response={201: dict}, summary="Report a hidden danger from the alarm"
)
def to_hazard(request, alarm_id: int):
    from yingji.monitoring import services

    alarm = _alarm(request, alarm_id)
    with _refusals():
        hazard = services.alarm_to_hazard(alarm, actor=request.user)
    return Status(
        201, {"hazard": hazard.pk, "alarm": serialize_alarm(_alarm(request, alarm_id), request.user)}
    )


# -- overview and quality -------------------------------------------------------------------------


@router.get("/overview", summary="Per enterprise: devices online/offline, open alarms, worst severity")
def overview(request):
    require_perm(request, "monitoring.view_device")
    rows, totals = overview_rows(request.user)
    return {
        "totals": totals,
        "enterprises": [
            {
                "id": row["enterprise"].pk,
                "name": row["enterprise"].name,
                "devices": row["devices"],
                "online": row["online"],
                "offline": row["offline"],
                "open_alarms": row["open_alarms"],
                "worst_severity": row["worst"],
                "red_alarms": row["red"],
                "sources": [source.pk for source in row["sources"]],
            }
            for row in rows
        ],
    }


@router.get(
    "/quality", summary="Alarm quality (EEMUA 191): rate per 10 minutes, floods, chattering, bad actors"
)
def quality_report(request, start: datetime.datetime | None = None, end: datetime.datetime | None = None):
    from yingji.monitoring import quality

    require_perm(request, "monitoring.view_alarm")
    end = end or timezone.now()
    start, end = _window(start or end - datetime.timedelta(hours=24), end)
    return quality.alarm_quality(request.user, start=start, end=end)
