"""Monitoring objects for the generated scoping walk (tests/test_scoping.py): each enterprise of the
walk's world gets a device on its walk source (tests/registry/scoping_sources.py) with one point and
one open alarm, made on first use.

In tests/test_scoping.py: `OBJECTS.update(MONITORING_OBJECTS)`, `API_PARAMS.update(MONITORING_API_PARAMS)`
and `PAGE_PARAMS.update(MONITORING_PAGE_PARAMS)`.
"""

from __future__ import annotations

from django.utils import timezone
from tests.registry.scoping_sources import source_of

from yingji.monitoring.models import Alarm, Device, Point


def device_of(enterprise) -> Device:
    source = source_of(enterprise)
    device, _created = Device.objects.get_or_create(
        code=f"WALK-{enterprise.pk}",
        defaults={
            "enterprise": enterprise,
            "source": source,
            "division_id": enterprise.division_id,
            "name": "走查采集器",
        },
    )
    return device


def point_of(enterprise) -> Point:
    device = device_of(enterprise)
    point, _created = Point.objects.get_or_create(
        device=device,
        code="P1",
        defaults={
            "enterprise": enterprise,
            "source": device.source,
            "division_id": enterprise.division_id,
            "name": "走查液位",
            "kind": "level",
            "high1": 9.0,
        },
    )
    return point


def alarm_of(enterprise) -> Alarm:
    point = point_of(enterprise)
    alarm = Alarm.objects.filter(point=point).first()
    if alarm is None:
        alarm = Alarm.objects.create(
            point=point,
            device=point.device,
            enterprise=enterprise,
            source=point.source,
            division_id=enterprise.division_id,
            condition="high",
            severity=1,
            value=9.5,
            threshold=9.0,
            raised_at=timezone.now(),
        )
    return alarm


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.neighbour),
        "own": lambda w: make(w.enterprise_a),
    }


MONITORING_OBJECTS = {
    "monitoring.device": _each(device_of),
    "monitoring.point": _each(point_of),
    "monitoring.alarm": _each(alarm_of),
}
MONITORING_API_PARAMS = {
    "device_id": "monitoring.device",
    "point_id": "monitoring.point",
    "alarm_id": "monitoring.alarm",
}
MONITORING_PAGE_PARAMS = {"source_pk": "registry.majorhazardsource", "device_pk": "monitoring.device"}
