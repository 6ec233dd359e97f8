"""Risk grading rules: LEC (D = L × E × C), the 5 × 5 LS matrix (R = L × S) and the four levels.

Plain functions over the shipped tables in `data/` (see its README for sources); no database. The
mapping from a score to the four levels 重大/较大/一般/低 is not standardised, so it is a `Bands` value:
three increasing edges splitting the scores into low < general < significant < major, closed on the
right ((a, b], LEC: "D above 70 up to 160") or on the left ([a, b), LS: "R from 9 below 15"). The
shipped defaults are variant A of each method (STANDARDS.md §3.1, §3.2); a bureau overrides them
with a `RiskMethodConfig` (services.config_for).

Arithmetic is exact (Decimal): D is often fractional (0.5 × 1 × 1 = 0.5) and must never be rounded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data"


# The values as plain strings (what is stored, printed and compared); the TextChoices add labels.
LOW, GENERAL, SIGNIFICANT, MAJOR = "low", "general", "significant", "major"
LEC, LS = "lec", "ls"


class Level(models.TextChoices):
    MAJOR = "major", _("Major risk")
    SIGNIFICANT = "significant", _("Significant risk")
    GENERAL = "general", _("General risk")
    LOW = "low", _("Low risk")


class Method(models.TextChoices):
    LEC = "lec", _("LEC (D = L × E × C)")
    LS = "ls", _("Risk matrix (R = L × S)")


LEVELS_LOW_TO_HIGH: tuple[str, ...] = (LOW, GENERAL, SIGNIFICANT, MAJOR)
RANK = {str(level): rank for rank, level in enumerate(LEVELS_LOW_TO_HIGH)}
COLOURS = {MAJOR: "red", SIGNIFICANT: "orange", GENERAL: "yellow", LOW: "blue"}
LS_VALUES: tuple[int, ...] = (1, 2, 3, 4, 5)
RIGHT, LEFT = "right", "left"


def colour_of(level: str) -> str:
    return COLOURS[str(level)]


def highest(levels: Iterable[str | None]) -> str | None:
    """The highest of some levels (None when there are none)."""
    present = [str(level) for level in levels if level]
    return max(present, key=RANK.__getitem__) if present else None


def plain_number(value: Decimal) -> int | float:
    """A score as a JSON number: an int when whole, else the shortest float (values have ≤ 2 decimals)."""
    return int(value) if value == value.to_integral_value() else float(value)


def number_text(value: Decimal) -> str:
    return str(plain_number(value))


# --- the tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactorValue:
    factor: str  # "L", "E" or "C"
    value: Decimal
    description: str


@dataclass(frozen=True)
class LecBand:
    number: int  # 1 = 极其危险 ... 5 = 稍有危险
    above: Decimal | None  # D > above (None: no lower limit)
    up_to: Decimal | None  # D <= up_to (None: no upper limit)
    danger: str
    action: str

    def contains(self, d: Decimal) -> bool:
        return (self.above is None or d > self.above) and (self.up_to is None or d <= self.up_to)

    @property
    def text(self) -> str:
        return f"{self.danger}，{self.action}"


def _decimal_or_none(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


@cache
def lec_factors() -> dict[str, tuple[FactorValue, ...]]:
    """Allowed values of L, E and C with their descriptions, highest first, as in the tables."""
    table: dict[str, list[FactorValue]] = {"L": [], "E": [], "C": []}
    with open(DATA_DIR / "lec_factors.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table[row["factor"]].append(FactorValue(row["factor"], Decimal(row["value"]), row["description"]))
    return {factor: tuple(values) for factor, values in table.items()}


@cache
def lec_bands() -> tuple[LecBand, ...]:
    with open(DATA_DIR / "lec_bands.csv", encoding="utf-8", newline="") as handle:
        return tuple(
            LecBand(
                number=int(row["band"]),
                above=_decimal_or_none(row["d_above"]),
                up_to=_decimal_or_none(row["d_up_to"]),
                danger=row["danger"],
                action=row["action"],
            )
            for row in csv.DictReader(handle)
        )


@cache
def possible_scores(method: str) -> tuple[Decimal, ...]:
    """Every score the method can produce from its tables, ascending."""
    if method == LEC:
        f = lec_factors()
        scores = {l.value * e.value * c.value for l in f["L"] for e in f["E"] for c in f["C"]}  # noqa: E741
    elif method == LS:
        scores = {Decimal(l * s) for l in LS_VALUES for s in LS_VALUES}  # noqa: E741
    else:
        raise ValueError(gettext("Unknown assessment method {method}.").format(method=method))
    return tuple(sorted(scores))


# --- errors ---------------------------------------------------------------------------------------


class FactorError(ValueError):
    """A factor value outside its table; names the factor and the allowed values."""

    def __init__(self, factor: str, value: object, allowed: Iterable[Decimal | int]):
        self.factor = factor
        self.value = value
        self.allowed = tuple(allowed)
        super().__init__(
            gettext("{factor} = {value} is not an allowed value; allowed values: {allowed}.").format(
                factor=factor,
                value=value,
                allowed=", ".join(number_text(Decimal(v)) for v in self.allowed),
            )
        )


class BandsError(ValueError):
    """A level mapping that is not usable (wrong shape, edges not increasing, a level unreachable)."""


def _to_decimal(factor: str, value: object, allowed: Iterable[Decimal | int]) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise FactorError(factor, value, allowed)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise FactorError(factor, value, allowed) from None
    if not number.is_finite():
        raise FactorError(factor, value, allowed)
    return number


def lec_factor(factor: str, value: object) -> FactorValue:
    """The table row of an L, E or C value; FactorError when the value is not in the table."""
    rows = lec_factors()[factor]
    allowed = [row.value for row in rows]
    number = _to_decimal(factor, value, allowed)
    for row in rows:
        if row.value == number:
            return row
    raise FactorError(factor, value, allowed)


def ls_factor(factor: str, value: object) -> int:
    number = _to_decimal(factor, value, LS_VALUES)
    if number != number.to_integral_value() or int(number) not in LS_VALUES:
        raise FactorError(factor, value, LS_VALUES)
    return int(number)


# --- level mappings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bands:
    """Three increasing edges: scores beyond 0, 1, 2 or 3 edges are low, general, significant, major."""

    edges: tuple[Decimal, Decimal, Decimal]
    closed: str = RIGHT  # RIGHT: a score equal to an edge stays below it; LEFT: it goes above
    name: str = ""

    def level_of(self, score: Decimal) -> str:
        if self.closed == RIGHT:
            passed = sum(1 for edge in self.edges if score > edge)
        else:
            passed = sum(1 for edge in self.edges if score >= edge)
        return LEVELS_LOW_TO_HIGH[passed]

    def as_json(self) -> dict:
        return {
            "edges": [plain_number(edge) for edge in self.edges],
            "closed": self.closed,
            "name": self.name,
        }


def bands_from_json(method: str, data: object) -> Bands:
    """Parse and check a stored mapping: `{"edges": [a, b, c], "closed": "right"|"left", "name": "..."}`.

    The edges must be three numbers, strictly increasing, and every one of the four levels must be
    reached by at least one score the method can produce (so the bands cover every possible value).
    """
    if not isinstance(data, Mapping):
        raise BandsError(gettext('The bands must be an object like {"edges": [70, 160, 320]}.'))
    edges = data.get("edges")
    if not isinstance(edges, list | tuple) or len(edges) != 3:
        raise BandsError(gettext("The bands need exactly three edges (low|general|significant|major)."))
    numbers: list[Decimal] = []
    for edge in edges:
        if isinstance(edge, bool) or not isinstance(edge, int | float | str | Decimal):
            raise BandsError(gettext("Every edge must be a number; got {edge}.").format(edge=edge))
        try:
            number = Decimal(str(edge))
        except InvalidOperation:
            raise BandsError(gettext("Every edge must be a number; got {edge}.").format(edge=edge)) from None
        if not number.is_finite():
            raise BandsError(gettext("Every edge must be a number; got {edge}.").format(edge=edge))
        numbers.append(number)
    if not numbers[0] < numbers[1] < numbers[2]:
        raise BandsError(gettext("The edges must be strictly increasing."))
    closed = data.get("closed", RIGHT if method == LEC else LEFT)
    if closed not in (RIGHT, LEFT):
        raise BandsError(gettext('"closed" must be "right" or "left".'))
    name = data.get("name", "")
    if not isinstance(name, str):
        raise BandsError(gettext("The name must be text."))
    bands = Bands(edges=(numbers[0], numbers[1], numbers[2]), closed=closed, name=name)
    reached = {bands.level_of(score) for score in possible_scores(method)}
    missing = [str(Level(level).label) for level in LEVELS_LOW_TO_HIGH if level not in reached]
    if missing:
        raise BandsError(
            gettext("No possible score falls in: {levels}. Move the edges.").format(levels=", ".join(missing))
        )
    return bands


# LEC variant A (common; D > 320 重大, (160, 320] 较大, (70, 160] 一般, ≤ 70 低) and variant B.
LEC_DEFAULT = bands_from_json(LEC, {"edges": [70, 160, 320], "closed": RIGHT, "name": "LEC variant A"})
LEC_VARIANT_B = bands_from_json(LEC, {"edges": [20, 70, 160], "closed": RIGHT, "name": "LEC variant B"})
# LS variant A (DB37/T 2882-2016 style: 1–8 低, 9–12 一般, 15–16 较大, 20–25 重大) and variant B (1–9 低).
LS_DEFAULT = bands_from_json(LS, {"edges": [9, 15, 20], "closed": LEFT, "name": "LS variant A"})
LS_VARIANT_B = bands_from_json(LS, {"edges": [10, 15, 20], "closed": LEFT, "name": "LS variant B"})
DEFAULTS = {LEC: LEC_DEFAULT, LS: LS_DEFAULT}


# --- assessment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LecResult:
    l: FactorValue  # noqa: E741
    e: FactorValue
    c: FactorValue
    d: Decimal
    band: LecBand  # the row of the D table used
    level: str
    mapping: Bands

    @property
    def colour(self) -> str:
        return colour_of(self.level)

    def as_json(self) -> dict:
        return {"D": plain_number(self.d), "band": self.band.text, "level": self.level, "colour": self.colour}


@dataclass(frozen=True)
class LsResult:
    l: int  # noqa: E741
    s: int
    r: int
    band: str  # the range of reachable R at this level under the thresholds, e.g. "9–12"
    level: str
    thresholds: Bands

    @property
    def colour(self) -> str:
        return colour_of(self.level)

    def as_json(self) -> dict:
        return {"R": self.r, "band": self.band, "level": self.level, "colour": self.colour}


def lec_band(d: Decimal) -> LecBand:
    for band in lec_bands():
        if band.contains(d):
            return band
    raise ValueError(f"No LEC band for D = {d}")  # the table covers every number; not reachable


def assess_lec(l: object, e: object, c: object, mapping: Bands = LEC_DEFAULT) -> LecResult:  # noqa: E741
    """D = L × E × C from the tables, its danger band and its level under `mapping`."""
    rows = lec_factor("L", l), lec_factor("E", e), lec_factor("C", c)
    d = rows[0].value * rows[1].value * rows[2].value
    return LecResult(*rows, d=d, band=lec_band(d), level=mapping.level_of(d), mapping=mapping)


def assess_ls(l: object, s: object, thresholds: Bands = LS_DEFAULT) -> LsResult:  # noqa: E741
    """R = L × S on the 5 × 5 matrix and its level under `thresholds`."""
    likelihood, severity = ls_factor("L", l), ls_factor("S", s)
    r = likelihood * severity
    level = thresholds.level_of(Decimal(r))
    same = [score for score in possible_scores(LS) if thresholds.level_of(score) == level]
    low, high = number_text(same[0]), number_text(same[-1])
    band = low if low == high else f"{low}–{high}"
    return LsResult(l=likelihood, s=severity, r=r, band=band, level=level, thresholds=thresholds)


def describe_bands(bands: Bands, symbol: str) -> list[tuple[str, str]]:
    """(level, condition) from low to major, e.g. ("general", "70 < D ≤ 160"), for pages and cards."""
    a, b, c = (number_text(edge) for edge in bands.edges)
    if bands.closed == RIGHT:
        texts = [f"{symbol} ≤ {a}", f"{a} < {symbol} ≤ {b}", f"{b} < {symbol} ≤ {c}", f"{symbol} > {c}"]
    else:
        texts = [f"{symbol} < {a}", f"{a} ≤ {symbol} < {b}", f"{b} ≤ {symbol} < {c}", f"{symbol} ≥ {c}"]
    return list(zip(LEVELS_LOW_TO_HIGH, texts, strict=True))
