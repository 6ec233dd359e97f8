"""The offline detector with frozen time, suppression while offline, clear on return."""

from __future__ import annotations

import datetime

import pytest

from yingji.monitoring import evaluation, services
from yingji.monitoring.models import Alarm, AlarmEvent, Device
from yingji.monitoring.telemetry import RawReading

T0 = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _fresh_cache():
    evaluation.reset()
    yield
    evaluation.reset()


@pytest.fixture
def seen_device(device_a, gas_point):
    Device.objects.filter(pk=device_a.pk).update(last_seen_at=T0, is_online=True)
    evaluation.evaluate([RawReading(gas_point.pk, T0, 10.0)], now=T0)
    return device_a


def test_silent_device_goes_offline_once(seen_device, duty_officer):
    # 6 periods of 10 s: still online at 60 s, offline after
    assert services.detect_offline(now=at(60)) == 0
    assert services.detect_offline(now=at(61)) == 1
    device = Device.objects.get(pk=seen_device.pk)
    assert not device.is_online and device.offline_since == at(61)
    (alarm,) = Alarm.objects.filter(condition="offline")
    assert alarm.device_id == device.pk and alarm.point_id is None and alarm.is_open
    assert services.detect_offline(now=at(300)) == 0  # idempotent
    assert Alarm.objects.filter(condition="offline").count() == 1


def test_device_never_seen_is_not_reported(device_a):
    assert services.detect_offline(now=at(10_000)) == 0


def test_offline_suppresses_threshold_alarms_and_data_clears_it(seen_device, gas_point):
    services.detect_offline(now=at(120))
    # backlog from the silent period arrives: thresholds are not raised from it
    evaluation.evaluate([RawReading(gas_point.pk, at(90), 60.0)], now=at(125))
    assert not Alarm.objects.filter(condition="high").exists()
    offline = Alarm.objects.get(condition="offline")
    assert offline.is_open
    # fresh data: the device is back, the offline alarm clears and thresholds apply again
    evaluation.evaluate([RawReading(gas_point.pk, at(130), 60.0)], now=at(131))
    offline.refresh_from_db()
    assert not offline.is_open and offline.state == "cleared" and offline.cleared_at == at(130)
    device = Device.objects.get(pk=seen_device.pk)
    assert device.is_online and device.offline_since is None
    assert Alarm.objects.get(condition="high").severity == 2
    assert list(AlarmEvent.objects.filter(alarm=offline).values_list("kind", flat=True)) == [
        "raised",
        "cleared",
    ]


def test_offline_found_by_another_process_is_seen_within_the_refresh(seen_device, gas_point):
    evaluation.evaluate([RawReading(gas_point.pk, at(10), 10.0)], now=at(10))
    services.detect_offline(now=at(200))  # as the periodic task would, in another process
    # the ingest marks the device online as it stores the readings, before the evaluation
    Device.objects.filter(pk=seen_device.pk).update(is_online=True, offline_since=None, last_seen_at=at(205))
    evaluation.evaluate([RawReading(gas_point.pk, at(205), 10.0)], now=at(210))
    assert not Alarm.objects.get(condition="offline").is_open


def test_offline_task_runs(seen_device):
    from yingji.monitoring import tasks

    tasks.detect_offline_devices.call_local()
    assert Alarm.objects.filter(condition="offline").count() == 1  # last seen long ago, by the real clock
