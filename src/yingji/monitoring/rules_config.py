"""Point configuration rules: which thresholds make sense, and the defaults offered per kind.

Pure functions (no database). `threshold_errors(values)` returns {field: [messages]} for a point's
range, thresholds, deadband and on-delay; the services raise them as a ValidationError so the form
and the API name the field. `defaults_for(kind, ...)` gives editable starting values; the figures
and their status come from ../shared/reference/MONITORING.md (GB/T 50493-2019, GB 50863-2013).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

TWO_LEVEL_FIELDS = ("high1", "high2", "low1", "low2")
COLOUR_FIELDS = ("blue", "yellow", "orange", "red")  # in the order they are reached
THRESHOLD_FIELDS = TWO_LEVEL_FIELDS + COLOUR_FIELDS

# Combustible gas, GB/T 50493-2019: 一级 ≤ 25 %LEL, 二级 ≤ 50 %LEL. We offer the standard's upper
# bounds (25/50): they comply, and lower first levels (the unverified field habit of 10 %LEL) raise
# far more nuisance alarms on ordinary process leaks. A site may lower them; it may not raise them.
COMBUSTIBLE_LEVEL1_MAX = 25.0
COMBUSTIBLE_LEVEL2_MAX = 50.0

# Toxic gas: 一级 ≤ 100 % OEL, 二级 ≤ 200 % OEL (or 5 %/10 % IDLH). The per-gas figures are the common
# field defaults [unverified], offered as editable starting values.
TOXIC_GAS_DEFAULTS: dict[str, tuple[float, float, float]] = {
    # gas: (level 1 ppm, level 2 ppm, full scale ppm)
    "CO": (24.0, 160.0, 1000.0),
    "H2S": (6.0, 20.0, 100.0),
}
TOXIC_GAS_NAMES = {"H2S": ("h2s", "硫化氢"), "CO": ("co", "一氧化碳")}

# Starting deadband (fraction of the range) and on-delay per kind [unverified, OPC UA Part 9 usage].
DEADBAND_DEFAULTS: dict[str, tuple[float, int]] = {
    "flow": (0.05, 15),
    "level": (0.05, 60),
    "pressure": (0.02, 15),
    "temperature": (0.01, 60),
}

# Tailings ponds (GB 50863-2013 §5.5 via secondary sources): orange derived from the designer's red.
PHREATIC_ORANGE_FACTOR = 1.1  # phreatic line burial depth: orange = 1.1 × red (falling is dangerous)
DISPLACEMENT_ORANGE_FACTOR = 0.8  # landslide displacement: orange = 80 % of red (rising is dangerous)


def _number(values: Mapping[str, Any], name: str) -> float | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    return float(value)


def threshold_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every inconsistency of a point's settings, by field; empty when they are sound."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    numbers = {
        name: _number(values, name) for name in (*THRESHOLD_FIELDS, "range_low", "range_high", "deadband")
    }
    for name, value in numbers.items():
        if value is not None and not math.isfinite(value):
            add(name, _("Enter a finite number."))
    if errors:
        return errors
    low, high = numbers["range_low"], numbers["range_high"]
    if low is not None and high is not None and low >= high:
        add("range_high", _("The range's high end must be above its low end."))
        return errors
    scheme = values.get("scheme") or "two_level"
    used = TWO_LEVEL_FIELDS if scheme == "two_level" else COLOUR_FIELDS
    for name in used:
        value = numbers[name]
        if value is None:
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            add(
                name,
                _("The threshold must lie inside the physical range ({low} to {high}).").format(
                    low=_fmt(low), high=_fmt(high)
                ),
            )
    if scheme == "two_level":
        _check_two_level(numbers, add)
    else:
        _check_four_colour(numbers, values.get("direction") or "high", add)
    _check_deadband(numbers, used, low, high, add)
    rate = _number(values, "rate_limit")
    if rate is not None and (not math.isfinite(rate) or rate <= 0):
        add("rate_limit", _("The rate-of-change limit must be a positive number."))
    return errors


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _check_two_level(numbers: dict[str, float | None], add) -> None:
    high1, high2, low1, low2 = (numbers[name] for name in TWO_LEVEL_FIELDS)
    if high1 is not None and high2 is not None and not high1 < high2:
        add("high2", _("High-high must be above high."))
    if low1 is not None and low2 is not None and not low2 < low1:
        add("low2", _("Low-low must be below low."))
    lows = [v for v in (low1, low2) if v is not None]
    highs = [v for v in (high1, high2) if v is not None]
    if lows and highs and not max(lows) < min(highs):
        add("low1" if low1 is not None else "low2", _("The low thresholds must be below the high ones."))


def _check_four_colour(numbers: dict[str, float | None], direction: str, add) -> None:
    """Blue, yellow, orange and red are reached in that order: rising when rising is dangerous."""
    previous: tuple[str, float] | None = None
    for name in COLOUR_FIELDS:
        value = numbers[name]
        if value is None:
            continue
        if previous is not None:
            ordered = previous[1] < value if direction == "high" else previous[1] > value
            if not ordered:
                if direction == "high":
                    add(name, _("Each colour's threshold must be above the previous colour's."))
                else:
                    add(name, _("Each colour's threshold must be below the previous colour's."))
        previous = (name, value)


def _check_deadband(numbers, used, low, high, add) -> None:
    deadband = numbers["deadband"]
    if deadband is None:
        return
    if deadband < 0:
        add("deadband", _("The deadband cannot be negative."))
        return
    levels = sorted(numbers[name] for name in used if numbers[name] is not None)
    gaps = [b - a for a, b in zip(levels, levels[1:], strict=False)]
    if gaps and deadband > 0 and deadband >= min(gaps):
        add(
            "deadband",
            _("The deadband must be smaller than the gap between thresholds ({gap}).").format(
                gap=_fmt(min(gaps))
            ),
        )
    elif low is not None and high is not None and deadband > 0 and deadband >= high - low:
        add("deadband", _("The deadband must be smaller than the physical range."))


# -- defaults -------------------------------------------------------------------------------------


def guess_toxic_gas(name: str) -> str:
    """The gas of a toxic-gas point from its name or code ("H2S", "硫化氢"); CO when nothing matches."""
    lowered = (name or "").lower()
    for gas in ("H2S", "CO"):
        if any(word in lowered for word in TOXIC_GAS_NAMES[gas]):
            return gas
    return "CO"


def orange_from_red(kind: str, red: float) -> float | None:
    """The orange threshold GB 50863 derives from red for phreatic lines and landslide displacement."""
    if kind == "phreatic_line":
        return round(red * PHREATIC_ORANGE_FACTOR, 6)
    if kind == "displacement":
        return round(red * DISPLACEMENT_ORANGE_FACTOR, 6)
    return None


def fill_missing_colours(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """A copy of `values` with orange computed from red where the standard defines it and it is empty."""
    result = dict(values)
    red = _number(values, "red")
    if red is not None and _number(values, "orange") is None:
        orange = orange_from_red(kind, red)
        if orange is not None:
            result["orange"] = orange
    return result


def defaults_for(
    kind: str, *, name: str = "", range_low: float | None = None, range_high: float | None = None
) -> dict[str, Any]:
    """Editable starting values for a new point of `kind` (only the fields a kind has a default for)."""
    if kind == "combustible_gas":
        # Gas alarms are not delayed: the on-delay stays 0; a small deadband stops chattering at the limit.
        return {
            "scheme": "two_level",
            "unit": "%LEL",
            "range_low": 0.0,
            "range_high": 100.0,
            "high1": COMBUSTIBLE_LEVEL1_MAX,
            "high2": COMBUSTIBLE_LEVEL2_MAX,
            "low1": None,
            "low2": None,
            "deadband": 2.0,
            "on_delay_s": 0,
        }
    if kind == "toxic_gas":
        level1, level2, full_scale = TOXIC_GAS_DEFAULTS[guess_toxic_gas(name)]
        return {
            "scheme": "two_level",
            "unit": "ppm",
            "range_low": 0.0,
            "range_high": full_scale,
            "high1": level1,
            "high2": level2,
            "low1": None,
            "low2": None,
            "deadband": round(level1 / 10, 3),
            "on_delay_s": 0,
        }
    if kind == "oxygen":
        return {
            "scheme": "two_level",
            "unit": "%VOL",
            "range_low": 0.0,
            "range_high": 30.0,
            "high1": 23.0,
            "high2": None,
            "low1": 19.5,
            "low2": None,
            "deadband": 0.2,
            "on_delay_s": 0,
        }
    if kind == "phreatic_line":
        return {"scheme": "four_colour", "direction": "low", "unit": "m", "deadband": 0.05, "on_delay_s": 300}
    if kind in ("displacement", "rainfall"):
        return {"scheme": "four_colour", "direction": "high", "unit": "mm", "deadband": 0.0, "on_delay_s": 0}
    if kind == "reservoir_level":
        return {
            "scheme": "four_colour",
            "direction": "high",
            "unit": "m",
            "deadband": 0.05,
            "on_delay_s": 300,
        }
    if kind == "beach_length":
        return {"scheme": "four_colour", "direction": "low", "unit": "m", "deadband": 0.5, "on_delay_s": 300}
    if kind in DEADBAND_DEFAULTS:
        fraction, on_delay = DEADBAND_DEFAULTS[kind]
        result: dict[str, Any] = {"scheme": "two_level", "on_delay_s": on_delay}
        if range_low is not None and range_high is not None and range_high > range_low:
            result["deadband"] = round((range_high - range_low) * fraction, 6)
        return result
    return {}


def apply_defaults(kind: str, current: Mapping[str, Any]) -> dict[str, Any]:
    """`current` (a form's values) with the kind's defaults laid over it, orange derived from red, and
    the deadband kept below the smallest gap between thresholds."""
    values = dict(current)
    values.update(
        defaults_for(
            kind,
            name=str(current.get("name") or ""),
            range_low=_number(current, "range_low"),
            range_high=_number(current, "range_high"),
        )
    )
    values = fill_missing_colours(kind, values)
    if "deadband" in threshold_errors(values):
        used = TWO_LEVEL_FIELDS if values.get("scheme", "two_level") == "two_level" else COLOUR_FIELDS
        levels = sorted(v for v in (_number(values, n) for n in used) if v is not None)
        gaps = [b - a for a, b in zip(levels, levels[1:], strict=False)]
        values["deadband"] = round(min(gaps) / 2, 6) if gaps else 0.0
    return values
