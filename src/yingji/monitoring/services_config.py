"""Configuring monitoring: devices (with their HTTP token) and points (with their thresholds).

Views and the API come through here. Division, enterprise and source of a point are copied from its
device, and a device's division from its enterprise, so every scope check is a column comparison.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import audit
from yingji.monitoring import rules_config
from yingji.monitoring.models import Device, Point
from yingji.registry.models import Enterprise, MajorHazardSource

DEVICE_FIELDS = (
    "enterprise",
    "source",
    "code",
    "name",
    "sampling_period_s",
    "offline_after_periods",
    "is_active",
)
POINT_FIELDS = (
    "code",
    "name",
    "kind",
    "unit",
    "range_low",
    "range_high",
    "sampling_period_s",
    "scheme",
    "high1",
    "high2",
    "low1",
    "low2",
    "direction",
    "blue",
    "yellow",
    "orange",
    "red",
    "rollup_item",
    "deadband",
    "on_delay_s",
    "off_delay_s",
    "rate_limit",
    "stuck_after_s",
    "is_active",
)


def _require(actor, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied


def _check_enterprise(enterprise: Enterprise | None, actor) -> None:
    if enterprise is None or not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("Unknown enterprise, or outside your jurisdiction.")})


def _check_source(device: Device) -> None:
    if (
        device.source_id is not None
        and not MajorHazardSource.objects.filter(
            pk=device.source_id, enterprise_id=device.enterprise_id
        ).exists()
    ):
        raise ValidationError({"source": _("The major hazard source belongs to another enterprise.")})


def _save(obj, actor) -> None:
    with audit.acting_as(actor, audit.current_actor().ip):
        obj.save()


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})


# -- devices --------------------------------------------------------------------------------------


def _save_device(device: Device, actor) -> Device:
    _check_enterprise(device.enterprise if device.enterprise_id else None, actor)
    device.division_id = device.enterprise.division_id
    _check_source(device)
    device.full_clean()
    _save(device, actor)
    return device


@transaction.atomic
def create_device(*, actor, **fields) -> tuple[Device, str]:
    """The new device and its HTTP token (shown once; only its hash is stored)."""
    from yingji.monitoring.tokens import new_token

    _require(actor, "monitoring.add_device")
    _unknown(fields, DEVICE_FIELDS)
    token, token_hash = new_token()
    device = _save_device(Device(token_hash=token_hash, **fields), actor)
    return device, token


def _device_in_scope(device: Device, actor) -> None:
    if not Device.objects.for_user(actor).filter(pk=device.pk).exists():
        raise PermissionDenied


@transaction.atomic
def update_device(device: Device, *, actor, **fields) -> Device:
    _require(actor, "monitoring.change_device")
    _device_in_scope(device, actor)
    _unknown(fields, DEVICE_FIELDS)
    moved = "enterprise" in fields and fields["enterprise"] != device.enterprise
    for name, value in fields.items():
        setattr(device, name, value)
    device = _save_device(device, actor)
    if moved or "source" in fields:
        # The points follow their device, so they stay in the same scope.
        device.points.update(enterprise=device.enterprise, division=device.division, source=device.source)
    return device


@transaction.atomic
def rotate_device_token(device: Device, *, actor) -> str:
    """A new token for the device; the old one stops working at once."""
    from yingji.monitoring.tokens import new_token

    _require(actor, "monitoring.change_device")
    _device_in_scope(device, actor)
    token, device.token_hash = new_token()
    _save(device, actor)
    return token


@transaction.atomic
def delete_device(device: Device, *, actor) -> None:
    _require(actor, "monitoring.delete_device")
    _device_in_scope(device, actor)
    with audit.acting_as(actor, audit.current_actor().ip):
        device.delete()


# -- points ---------------------------------------------------------------------------------------


def _save_point(point: Point, actor) -> Point:
    device = point.device
    _device_in_scope(device, actor)
    point.enterprise_id, point.division_id, point.source_id = (
        device.enterprise_id,
        device.division_id,
        device.source_id,
    )
    values = {name: getattr(point, name) for name in POINT_FIELDS}
    filled = rules_config.fill_missing_colours(point.kind, values)
    point.orange = filled.get("orange")
    errors: dict[str, list[str]] = {}
    try:
        point.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if not errors:
        for name, messages in rules_config.threshold_errors({**values, "orange": point.orange}).items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    _save(point, actor)
    return point


@transaction.atomic
def create_point(*, actor, device: Device, **fields) -> Point:
    _require(actor, "monitoring.add_point")
    _unknown(fields, POINT_FIELDS)
    return _save_point(Point(device=device, **fields), actor)


def _point_in_scope(point: Point, actor) -> None:
    if not Point.objects.for_user(actor).filter(pk=point.pk).exists():
        raise PermissionDenied


@transaction.atomic
def update_point(point: Point, *, actor, **fields) -> Point:
    _require(actor, "monitoring.change_point")
    _point_in_scope(point, actor)
    _unknown(fields, POINT_FIELDS)
    for name, value in fields.items():
        setattr(point, name, value)
    return _save_point(point, actor)


@transaction.atomic
def delete_point(point: Point, *, actor) -> None:
    _require(actor, "monitoring.delete_point")
    _point_in_scope(point, actor)
    with audit.acting_as(actor, audit.current_actor().ip):
        point.delete()
