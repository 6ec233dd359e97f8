"""Point configuration rules: every bad threshold is refused on its field; defaults per kind."""

from __future__ import annotations

import math

import pytest

from yingji.monitoring import rules_config
from yingji.monitoring.rules_config import apply_defaults, defaults_for, orange_from_red, threshold_errors

GOOD = {
    "scheme": "two_level",
    "range_low": 0,
    "range_high": 12,
    "high1": 9.5,
    "high2": 10.5,
    "low1": 1,
    "low2": 0.5,
    "deadband": 0.2,
}


def errors(**changes):
    return threshold_errors({**GOOD, **changes})


def test_sound_settings_pass():
    assert errors() == {}
    assert threshold_errors({"scheme": "two_level"}) == {}  # nothing set is allowed (no alarms)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"high2": 9.0}, "high2"),  # high-high below high
        ({"high2": 9.5}, "high2"),  # equal is not above
        ({"low2": 1.5}, "low2"),  # low-low above low
        ({"low1": 10.0, "low2": 0.5, "high1": 9.5}, "low1"),  # a low above a high
        ({"high2": 13.0}, "high2"),  # outside the physical range
        ({"low2": -1.0}, "low2"),
        ({"range_low": 12, "range_high": 0}, "range_high"),
        ({"range_low": 5, "range_high": 5}, "range_high"),
        ({"deadband": -0.1}, "deadband"),
        ({"deadband": 0.5}, "deadband"),  # the gap low2..low1 is 0.5
        ({"deadband": 5.0}, "deadband"),
        ({"high1": math.nan}, "high1"),
        ({"high2": math.inf}, "high2"),
        ({"rate_limit": 0}, "rate_limit"),
        ({"rate_limit": -3}, "rate_limit"),
    ],
)
def test_bad_two_level_settings_name_the_field(changes, field):
    assert field in errors(**changes)


def test_only_highs_or_only_lows():
    assert threshold_errors({"scheme": "two_level", "high1": 5, "high2": 8, "deadband": 1}) == {}
    assert threshold_errors({"scheme": "two_level", "low1": 5, "low2": 2}) == {}
    assert "low1" in threshold_errors({"scheme": "two_level", "low1": 5, "high2": 4})


def test_deadband_without_gap_is_bounded_by_the_range():
    assert threshold_errors({"range_low": 0, "range_high": 10, "high1": 5, "deadband": 9}) == {}
    assert "deadband" in threshold_errors({"range_low": 0, "range_high": 10, "high1": 5, "deadband": 10})


@pytest.mark.parametrize(
    ("direction", "values", "bad"),
    [
        ("high", {"blue": 1, "yellow": 2, "orange": 3, "red": 4}, None),
        ("high", {"blue": 1, "yellow": 3, "orange": 2, "red": 4}, "orange"),
        ("high", {"yellow": 5, "red": 5}, "red"),
        ("low", {"blue": 4, "yellow": 3, "orange": 2, "red": 1}, None),
        ("low", {"blue": 1, "yellow": 2}, "yellow"),
        ("high", {"red": 4}, None),  # a single colour is allowed
    ],
)
def test_four_colour_thresholds_are_monotonic_in_the_direction(direction, values, bad):
    result = threshold_errors({"scheme": "four_colour", "direction": direction, **values})
    assert (bad in result) if bad else result == {}


def test_four_colour_ignores_two_level_fields_and_checks_the_range():
    values = {"scheme": "four_colour", "range_low": 0, "range_high": 10, "high1": 50, "red": 11}
    assert set(threshold_errors(values)) == {"red"}


def test_gas_defaults_follow_gb_t_50493():
    gas = defaults_for("combustible_gas")
    assert gas["high1"] <= 25 and gas["high2"] <= 50 and gas["unit"] == "%LEL"
    assert threshold_errors(gas) == {}
    co, h2s = defaults_for("toxic_gas", name="CO 检测"), defaults_for("toxic_gas", name="硫化氢 AT-3")
    assert (co["high1"], co["high2"]) == (24, 160)
    assert (h2s["high1"], h2s["high2"]) == (6, 20)
    oxygen = defaults_for("oxygen")
    assert (oxygen["low1"], oxygen["high1"]) == (19.5, 23)
    for values in (co, h2s, oxygen):
        assert threshold_errors(values) == {}


def test_tailings_orange_from_red():
    assert orange_from_red("phreatic_line", 10) == pytest.approx(11)
    assert orange_from_red("displacement", 50) == pytest.approx(40)
    assert orange_from_red("level", 5) is None
    filled = rules_config.fill_missing_colours("phreatic_line", {"red": 4.0})
    assert filled["orange"] == pytest.approx(4.4)
    kept = rules_config.fill_missing_colours("displacement", {"red": 50, "orange": 30})
    assert kept["orange"] == 30
    # The derived orange is reached before red in each item's dangerous direction.
    assert threshold_errors({**defaults_for("phreatic_line"), "red": 4.0, "orange": 4.4}) == {}
    assert threshold_errors({**defaults_for("displacement"), "red": 50, "orange": 40}) == {}


def test_process_defaults_scale_with_the_range_and_stay_below_the_gap():
    level = apply_defaults("level", {"range_low": "0", "range_high": "12", "high1": "9.5", "high2": "10.5"})
    assert level["on_delay_s"] == 60
    assert level["deadband"] == pytest.approx(0.6)  # 5 % of the range, below the 1.0 gap
    tight = apply_defaults("level", {"range_low": "0", "range_high": "12", "high1": "9.5", "high2": "9.8"})
    assert threshold_errors(tight) == {}
    assert defaults_for("other") == {}
    assert tight["deadband"] == pytest.approx(0.15)  # 0.6 would swallow the 0.3 gap: half the gap
