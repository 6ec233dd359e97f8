"""GB 50863 roll-up alarms of tailings ponds and slopes (four-colour points with a roll-up item)."""

from __future__ import annotations

import datetime

import pytest

from yingji.monitoring import evaluation
from yingji.monitoring.models import Alarm, Point
from yingji.monitoring.telemetry import RawReading

T0 = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _fresh_cache():
    evaluation.reset()
    yield
    evaluation.reset()


def colour_point(device, code, item, **extra):
    return Point.objects.create(
        device=device,
        enterprise=device.enterprise,
        source=device.source,
        division=device.division,
        code=code,
        name=code,
        kind="displacement",
        scheme="four_colour",
        blue=10,
        yellow=20,
        orange=30,
        red=40,
        rollup_item=item,
        **extra,
    )


def rollups():
    return {
        a.rollup_item: (a.severity, a.is_open)
        for a in Alarm.objects.filter(condition="rollup").order_by("pk")
    }


def test_rollup_item_and_pond(device_a):
    points = [colour_point(device_a, f"WY-{i}", "位移") for i in range(4)]
    others = [colour_point(device_a, f"JR-{i}", f"项{i}") for i in range(3)]
    # three displacement points at blue: no roll-up yet
    evaluation.evaluate([RawReading(p.pk, at(0), 12.0) for p in points[:3]], now=at(0))
    assert rollups() == {}
    # the fourth at blue: the item is yellow (one level above its worst point)
    evaluation.evaluate([RawReading(points[3].pk, at(10), 12.0)], now=at(10))
    assert rollups() == {"位移": (2, True)}
    # three more items at blue: with the yellow item, the pond has 1 yellow + 3 blue → still yellow,
    # which is not above its worst item: no pond alarm
    evaluation.evaluate([RawReading(p.pk, at(20), 15.0) for p in others], now=at(20))
    assert rollups() == {"位移": (2, True)}
    # one displacement point back to normal: the item falls back to blue, the roll-up clears;
    # the pond now has 4 items at blue → yellow
    evaluation.evaluate([RawReading(points[0].pk, at(30), 1.0)], now=at(30))
    assert rollups() == {"位移": (2, False), "": (2, True)}
    source_alarm = Alarm.objects.get(condition="rollup", rollup_item="")
    assert (
        source_alarm.point_id is None
        and source_alarm.device_id is None
        and source_alarm.source_id == device_a.source_id
    )


def test_rollup_ignores_points_without_item(device_a):
    points = [colour_point(device_a, f"P-{i}", "") for i in range(4)]
    evaluation.evaluate([RawReading(p.pk, at(0), 12.0) for p in points], now=at(0))
    assert rollups() == {}
    assert Alarm.objects.filter(condition="colour").count() == 4
