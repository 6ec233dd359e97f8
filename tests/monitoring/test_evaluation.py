"""Alarm evaluation on batches of readings: transitions written once, in place, with events."""

from __future__ import annotations

import datetime

import pytest

from yingji.monitoring import evaluation
from yingji.monitoring.models import Alarm, AlarmEvent, Point
from yingji.monitoring.telemetry import RawReading

T0 = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _fresh_cache():
    evaluation.reset()
    yield
    evaluation.reset()


def feed(point, values, *, start=0, step=10):
    """Evaluate one batch per value (as the ingest would), each `step` seconds apart."""
    for i, value in enumerate(values):
        ts = at(start + i * step)
        evaluation.evaluate([RawReading(point.pk, ts, float(value))], now=ts)


def alarms(point, condition=None):
    qs = Alarm.objects.filter(point=point).order_by("pk")
    return list(qs.filter(condition=condition) if condition else qs)


def events(alarm):
    return list(AlarmEvent.objects.filter(alarm=alarm).order_by("pk").values_list("kind", "severity"))


def test_normal_values_write_nothing(gas_point, django_assert_max_num_queries):
    readings = [RawReading(gas_point.pk, at(i), 10.0 + (i % 5)) for i in range(200)]
    evaluation.evaluate(readings[:1], now=at(0))  # builds the cache
    with django_assert_max_num_queries(0):
        evaluation.evaluate(readings[1:], now=at(1))
    assert not Alarm.objects.exists()


def test_raise_rise_fall_and_clear_in_place(gas_point):
    feed(gas_point, [10, 30, 55, 40, 20])
    (alarm,) = alarms(gas_point)
    assert alarm.condition == "high" and not alarm.is_open and alarm.state == "cleared"
    assert alarm.severity == 1 and alarm.peak_value == 55 and alarm.value == 30
    assert alarm.cleared_at == at(40) and alarm.raised_at == at(10)
    assert events(alarm) == [("raised", 1), ("severity_up", 2), ("severity_down", 1), ("cleared", 1)]


def test_deadband_no_flapping(gas_point):
    feed(gas_point, [26, 24, 25.5, 23.5, 26, 24])  # deadband 2: never back below 23
    (alarm,) = alarms(gas_point)
    assert alarm.is_open and events(alarm) == [("raised", 1)]
    feed(gas_point, [22.9], start=100)
    alarm.refresh_from_db()
    assert not alarm.is_open


def test_on_delay_uses_reading_timestamps(level_point):
    # level: high1 9.5, on-delay 30 s
    feed(level_point, [9.6, 9.7, 9.6, 9.0], step=10)  # 20 s beyond: nothing
    assert alarms(level_point) == []
    feed(level_point, [9.6, 9.7, 9.6, 9.7], start=100, step=10)  # 30 s beyond: raised at the 4th
    (alarm,) = alarms(level_point)
    assert alarm.raised_at == at(130) and alarm.severity == 1


def test_off_delay_keeps_the_alarm_through_brief_returns(gas_point):
    Point.objects.filter(pk=gas_point.pk).update(off_delay_s=30)
    feed(gas_point, [30, 10, 30, 10, 10, 10, 10], step=10)
    (alarm,) = alarms(gas_point)
    assert alarm.cleared_at == at(60)


def test_low_and_high_are_separate_alarms(level_point):
    Point.objects.filter(pk=level_point.pk).update(on_delay_s=0)
    feed(level_point, [0.9, 0.4, 5, 10.0, 11.0])
    low, high = alarms(level_point, "low"), alarms(level_point, "high")
    assert [a.severity for a in low] == [2] and not low[0].is_open
    assert [a.severity for a in high] == [2] and high[0].is_open


def test_out_of_range_raises_no_threshold_alarm(gas_point):
    feed(gas_point, [10, 150, 10])
    (alarm,) = alarms(gas_point)
    assert alarm.condition == "out_of_range" and alarm.threshold == 100 and not alarm.is_open


def test_rate_of_change(gas_point):
    Point.objects.filter(pk=gas_point.pk).update(rate_limit=6.0)  # per minute
    feed(gas_point, [10, 11, 15, 15.5], step=10)  # +4 in 10 s = 24/min
    (alarm,) = alarms(gas_point, "rate")
    assert alarm.raised_at == at(20) and alarm.cleared_at == at(30)


def test_stuck_value(gas_point):
    Point.objects.filter(pk=gas_point.pk).update(stuck_after_s=60)
    feed(gas_point, [10] * 8, step=10)
    (alarm,) = alarms(gas_point, "stuck")
    assert alarm.raised_at == at(60) and alarm.is_open
    feed(gas_point, [11], start=200)
    alarm.refresh_from_db()
    assert not alarm.is_open


def test_colour_scheme(device_a):
    point = Point.objects.create(
        device=device_a,
        enterprise=device_a.enterprise,
        source=device_a.source,
        division=device_a.division,
        code="WY-1",
        name="坝体位移 WY-1",
        kind="displacement",
        scheme="four_colour",
        blue=10,
        yellow=20,
        orange=30,
        red=40,
    )
    feed(point, [5, 12, 45, 25, 5])
    (alarm,) = alarms(point, "colour")
    assert events(alarm) == [("raised", 1), ("severity_up", 4), ("severity_down", 2), ("cleared", 2)]


def test_retrigger_counts_on_the_previous_alarm(gas_point):
    feed(gas_point, [30, 10, 30], step=10)
    first, second = alarms(gas_point)
    assert first.retriggers == 1 and second.is_open
    assert ("retriggered", 1) in events(second)
    feed(gas_point, [10, 30], start=10_000)  # long after: a plain new alarm
    first.refresh_from_db()
    assert len(alarms(gas_point)) == 3


def test_late_readings_are_not_evaluated(gas_point):
    feed(gas_point, [10], start=100)
    evaluation.evaluate([RawReading(gas_point.pk, at(50), 80.0)], now=at(101))
    assert alarms(gas_point) == []


def test_unknown_points_are_ignored(gas_point):
    evaluation.evaluate([RawReading(999_999, at(0), 80.0), RawReading(gas_point.pk, at(0), 80.0)], now=at(0))
    assert len(alarms(gas_point)) == 1


def test_restart_continues_open_alarms(gas_point):
    feed(gas_point, [30])
    evaluation.reset()  # a new process
    feed(gas_point, [55, 10], start=10)
    (alarm,) = alarms(gas_point)
    assert events(alarm) == [("raised", 1), ("severity_up", 2), ("cleared", 2)]


def test_config_change_is_picked_up(gas_point):
    feed(gas_point, [30])
    gas_point.refresh_from_db()
    gas_point.high1 = 35
    gas_point.save()
    feed(gas_point, [34], start=10)  # within the new deadband (35 - 2 < 34): still raised
    (alarm,) = alarms(gas_point)
    assert alarm.is_open
    feed(gas_point, [32.9], start=20)  # the old limit (25) would have kept it
    alarm.refresh_from_db()
    assert not alarm.is_open


def test_alarm_closed_elsewhere_is_not_touched(gas_point):
    feed(gas_point, [30])
    Alarm.objects.filter(point=gas_point).update(is_open=False, state="handled")
    feed(gas_point, [55, 10], start=10)
    (alarm,) = alarms(gas_point)
    assert alarm.state == "handled" and alarm.severity == 1


def test_first_batch_after_start_is_evaluated_although_stored_first(gas_point):
    # the ingest stores the readings (moving Point.last_ts) before it calls evaluate()
    Point.objects.filter(pk=gas_point.pk).update(last_ts=at(0), last_value=30.0)
    evaluation.evaluate([RawReading(gas_point.pk, at(0), 30.0)], now=at(0))
    assert len(alarms(gas_point)) == 1
    # a rebuild (a point saved elsewhere) keeps the cursor: a late reading stays unevaluated
    Point.objects.filter(pk=gas_point.pk).update(last_ts=at(10), last_value=5.0)
    gas_point.refresh_from_db()
    gas_point.save()
    evaluation.evaluate([RawReading(gas_point.pk, at(-5), 5.0)], now=at(11))
    assert alarms(gas_point)[0].is_open
