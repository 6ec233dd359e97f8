"""Accident grading by 《生产安全事故报告和调查处理条例》 (国务院令第493号) Article 3.

Three criteria — deaths, serious injuries (including acute industrial poisoning) and direct economic
loss — each reach a grade; "以上" includes the boundary and "以下" excludes it; the three are joined by
"或者", so the accident takes the highest grade any criterion reaches. The thresholds are data
(`data/accident_grades.csv`). `decided_by` names every criterion that reached that grade.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DATA = Path(__file__).resolve().parent / "data" / "accident_grades.csv"

# grade_no (1 = most severe) -> stable code of the API/CLI
GRADE_CODES = {1: "especially_major", 2: "major", 3: "larger", 4: "general"}
CRITERIA = {
    "deaths": gettext_lazy("deaths"),
    "serious_injuries": gettext_lazy("serious injuries (including acute industrial poisoning)"),
    "direct_loss_yuan": gettext_lazy("direct economic loss (yuan)"),
}


@dataclass(frozen=True)
class Band:
    grade_no: int
    label: str  # 特别重大 / 重大 / 较大 / 一般
    minimum: dict[str, Decimal]  # criterion -> lower bound, inclusive ("以上")


@cache
def bands() -> tuple[Band, ...]:
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        sorted(
            (
                Band(
                    grade_no=int(r["grade_no"]),
                    label=r["grade"].removesuffix("事故"),
                    minimum={
                        "deaths": Decimal(r["deaths_min"]),
                        "serious_injuries": Decimal(r["serious_injuries_min"]),
                        "direct_loss_yuan": Decimal(r["direct_loss_min_cny"]),
                    },
                )
                for r in rows
            ),
            key=lambda b: b.grade_no,
        )
    )


@dataclass(frozen=True)
class Grading:
    grade: str
    label: str
    decided_by: list[str]

    def as_json(self) -> dict:
        return {"grade": self.grade, "label": self.label, "decided_by": self.decided_by}


def _value(name: str, value) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(
            _("{name} must be a number, not {value}.").format(name=CRITERIA[name], value=value)
        ) from None
    if not number.is_finite() or number < 0:
        raise ValueError(_("{name} must be zero or more.").format(name=CRITERIA[name]))
    if name != "direct_loss_yuan" and number != number.to_integral_value():
        raise ValueError(_("{name} must be a whole number.").format(name=CRITERIA[name]))
    return number


def grade_accident(*, deaths=0, serious_injuries=0, direct_loss_yuan=0) -> Grading:
    """The grade of an accident and the criteria that decided it (ValueError on bad numbers)."""
    values = {
        "deaths": _value("deaths", deaths),
        "serious_injuries": _value("serious_injuries", serious_injuries),
        "direct_loss_yuan": _value("direct_loss_yuan", direct_loss_yuan),
    }
    ordered = bands()  # most severe first
    for band in ordered[:-1]:
        reached = [name for name, value in values.items() if value >= band.minimum[name]]
        if reached:
            decided_by = [
                _("{criterion} {value} ≥ {minimum}").format(
                    criterion=CRITERIA[name], value=_plain(values[name]), minimum=_plain(band.minimum[name])
                )
                for name in reached
            ]
            return Grading(grade=GRADE_CODES[band.grade_no], label=band.label, decided_by=decided_by)
    # No criterion reaches the next band up: every one is below its threshold ("以下" excludes it).
    general, above = ordered[-1], ordered[-2]
    decided_by = [
        _("{criterion} {value} < {limit}").format(
            criterion=CRITERIA[name], value=_plain(value), limit=_plain(above.minimum[name])
        )
        for name, value in values.items()
    ]
    return Grading(grade=GRADE_CODES[general.grade_no], label=general.label, decided_by=decided_by)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


# -- intake: grading every kind, reporting deadlines (Art. 9 and 13) -------------------------------

REPORT_MINUTES = 60  # 1 hour to the next level (Art. 9)
CONTINUED_REPORT_MINUTES = 60  # a casualty change is reported within this time (续报, Art. 13)
CONTINUED_DAYS = 30  # casualty changes are reported for 30 days after the accident (Art. 13)
CONTINUED_DAYS_SHORT = 7  # ... 7 days for road traffic and fire accidents
SHORT_WINDOW_SUBTYPES = frozenset({"road_traffic", "fire"})
CASUALTY_FIELDS = ("deaths", "missing", "serious_injuries", "trapped")


def grade_for(kind: str, *, deaths, serious_injuries, direct_loss_yuan) -> tuple[str, list[str]]:
    """(grade, decided_by) of an incident: Art. 3 for accidents, no grade ("") for the other kinds."""
    if kind != "accident":
        return "", []
    grading = grade_accident(
        deaths=deaths, serious_injuries=serious_injuries, direct_loss_yuan=direct_loss_yuan
    )
    return grading.grade, grading.decided_by


def continued_report_days(subtype: str) -> int:
    return CONTINUED_DAYS_SHORT if subtype in SHORT_WINDOW_SUBTYPES else CONTINUED_DAYS


def continued_report_window_open(*, kind: str, subtype: str, occurred_at, now) -> bool:
    """Whether a casualty change at `now` still calls for a continued report (Art. 13)."""
    import datetime

    if kind != "accident":
        return False
    return now <= occurred_at + datetime.timedelta(days=continued_report_days(subtype))


def casualties_changed(before: dict, after: dict) -> bool:
    return any(before.get(name) != after.get(name) for name in CASUALTY_FIELDS)
