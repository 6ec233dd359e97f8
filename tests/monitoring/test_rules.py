"""The pure alarm rules: thresholds with deadband, on/off-delay, roll-up, settings, quality arithmetic."""

from __future__ import annotations

import datetime

import pytest

from yingji.monitoring import rules

T0 = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


HIGH = rules.two_level_ladders(25, 50, None, None)["high"][1]
LOW = rules.two_level_ladders(None, None, 1.0, 0.5)["low"][1]


def run(values, *, ladder=HIGH, sign=1, deadband=0.0, on_delay=0, off_delay=0, step=1):
    """Levels in force after each value (one reading every `step` seconds)."""
    tracker = rules.Tracker()
    levels = []
    for i, value in enumerate(values):
        wanted = rules.level_for(sign * value, ladder, tracker.level, deadband)
        levels.append(tracker.step(wanted, at(i * step), on_delay, off_delay))
    return levels


def test_setpoint_itself_alarms_and_levels_rise_and_fall_in_place():
    assert run([10, 25, 49, 50, 30, 10]) == [0, 1, 1, 2, 1, 0]


def test_deadband_stops_flapping_around_the_limit():
    noisy = [24.5, 25.2, 24.1, 25.0, 23.5, 24.9, 22.9, 24.0]
    assert run(noisy, deadband=0) == [0, 1, 0, 1, 0, 0, 0, 0]
    # with a deadband of 2 it stays raised until the value is back below 23
    assert run(noisy, deadband=2) == [0, 1, 1, 1, 1, 1, 0, 0]


def test_low_ladder_uses_the_same_rules_in_the_other_direction():
    assert run([3, 1.0, 0.6, 0.5, 1.05, 1.3], ladder=LOW, sign=-1, deadband=0.2) == [0, 1, 1, 2, 1, 0]


def test_on_delay_needs_the_whole_delay_beyond_the_limit():
    # 10 s readings, on-delay 30 s: a 20 s excursion raises nothing, a sustained one after 30 s
    assert run([30, 30, 30, 10], on_delay=30, step=10) == [0, 0, 0, 0]
    assert run([30, 30, 30, 30, 30], on_delay=30, step=10) == [0, 0, 0, 1, 1]


def test_on_delay_takes_the_level_held_for_the_delay():
    # beyond high1 for 30 s but beyond high2 only for the last 10 s: level 1 first, 2 later
    assert run([30, 30, 60, 60, 60, 60], on_delay=30, step=10) == [0, 0, 0, 1, 1, 2]


def test_off_delay_keeps_the_alarm_through_brief_returns():
    assert run([30, 10, 30, 10, 10, 10, 10], off_delay=20, step=10) == [1, 1, 1, 1, 1, 0, 0]


def test_colour_ladder_both_directions():
    high = rules.colour_ladder("high", 10, 20, 30, 40)["colour"]
    low = rules.colour_ladder("low", 10, 8, 6, 4)["colour"]
    assert run([5, 10, 25, 41, 31], ladder=high[1], sign=high[0]) == [0, 1, 2, 4, 3]
    assert run([12, 9, 7, 3], ladder=low[1], sign=low[0]) == [0, 1, 2, 4]


def test_quiet_band():
    ladders = rules.two_level_ladders(9.5, 10.5, 1.0, 0.5)
    assert rules.quiet_band(ladders) == (1.0, 9.5)
    assert rules.quiet_band({}) == (float("-inf"), float("inf"))


def test_out_of_range_and_rate():
    assert rules.out_of_range(-1, 0, 100) and rules.out_of_range(101, 0, 100)
    assert not rules.out_of_range(50, 0, 100) and not rules.out_of_range(1e9, None, None)
    assert rules.rate_per_minute(10, at(0), 13, at(30)) == pytest.approx(6.0)
    assert rules.rate_per_minute(10, at(0), 13, at(0)) == 0.0


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([1, 1, 1], 1),  # three blue points: still blue
        ([1, 1, 1, 1], 2),  # GB 50863: 4 at blue → the item is yellow
        ([2, 2, 2], 3),  # 3 at yellow → orange
        ([3, 3], 4),  # 2 at orange → red
        ([1, 1, 1, 1, 2, 2], 3),  # 4 blue count as one yellow: 3 yellow → orange
        ([1] * 12, 3),  # 12 blue → 3 yellow → orange
        ([1] * 4 + [2] * 2 + [3], 4),  # → 3 yellow → 1 more orange → 2 orange → red
        ([0, 0, 4], 4),
        ([], 0),
    ],
)
def test_rollup_level_worked_examples(levels, expected):
    assert rules.rollup_level(levels) == expected


def test_rollup_pond_level_counts_items():
    items = {"位移": [1, 1, 1, 1], "浸润线": [1], "库水位": [1], "干滩": [1]}
    per_item, pond = rules.rollup(items)
    assert per_item == {"位移": 2, "浸润线": 1, "库水位": 1, "干滩": 1}
    assert pond == 2  # one yellow item and three blue ones: 3 blue do not make a yellow
    _, pond = rules.rollup({"a": [1], "b": [1], "c": [1], "d": [1]})
    assert pond == 2  # pond level: 4 items at blue count as one at yellow


def test_parse_ack_minutes():
    table = rules.parse_ack_minutes("4:5,3:10,2:15,1:30")
    assert table == {4: 5, 3: 10, 2: 15, 1: 30}
    assert rules.ack_minutes(table, 3) == 10
    assert rules.ack_minutes({2: 15}, 4) == 15 and rules.ack_minutes({2: 15}, 1) is None
    for bad in ("5:10", "x", "4:0", "4:-1"):
        with pytest.raises(ValueError):
            rules.parse_ack_minutes(bad)


def test_peak_floods_and_chattering():
    times = [at(i * 30) for i in range(12)] + [at(3600 + i) for i in range(3)]
    assert rules.peak_count(times) == 12  # 12 alarms within 5.5 minutes
    flood = rules.floods(times)
    assert len(flood) == 1 and flood[0]["count"] == 12  # the window that reached 10, and the 2 after
    assert flood[0]["start"] == at(0) and flood[0]["end"] == at(330)
    assert rules.is_chattering([at(0), at(20), at(59)])
    assert not rules.is_chattering([at(0), at(30), at(61)])
