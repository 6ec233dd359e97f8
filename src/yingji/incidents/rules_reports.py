"""Rules of disaster reports (自然灾害情况统计调查制度): indicators, logic checks, the order of the
stages (初报 → 续报… → 核报) and their deadlines. Plain functions and data, no request."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# -- indicators (the columns of the statistical form, in its order) --------------------------------


@dataclass(frozen=True)
class Indicator:
    field: str
    group: str  # header group of the form
    unit: str
    decimal: bool = False


_PEOPLE = gettext_lazy("Population")
_HOUSES = gettext_lazy("Houses")
_CROPS = gettext_lazy("Crops")
_LOSS = gettext_lazy("Direct economic loss")

INDICATORS: tuple[Indicator, ...] = (
    Indicator("affected_population", _PEOPLE, "人"),
    Indicator("deaths", _PEOPLE, "人"),
    Indicator("missing", _PEOPLE, "人"),
    Indicator("relocated", _PEOPLE, "人"),
    Indicator("needing_aid", _PEOPLE, "人"),
    Indicator("collapsed_households", _HOUSES, "户"),
    Indicator("collapsed_rooms", _HOUSES, "间"),
    Indicator("severe_households", _HOUSES, "户"),
    Indicator("severe_rooms", _HOUSES, "间"),
    Indicator("general_households", _HOUSES, "户"),
    Indicator("general_rooms", _HOUSES, "间"),
    Indicator("crop_affected_ha", _CROPS, "公顷", True),
    Indicator("crop_disaster_ha", _CROPS, "公顷", True),
    Indicator("crop_failed_ha", _CROPS, "公顷", True),
    Indicator("direct_loss", _LOSS, "万元", True),
    Indicator("loss_agriculture", _LOSS, "万元", True),
    Indicator("loss_industry", _LOSS, "万元", True),
    Indicator("loss_infrastructure", _LOSS, "万元", True),
    Indicator("loss_public", _LOSS, "万元", True),
    Indicator("loss_household", _LOSS, "万元", True),
    Indicator("loss_other", _LOSS, "万元", True),
)
FIELDS: tuple[str, ...] = tuple(i.field for i in INDICATORS)
SECTOR_FIELDS = (
    "loss_agriculture",
    "loss_industry",
    "loss_infrastructure",
    "loss_public",
    "loss_household",
    "loss_other",
)
LOSS_TOLERANCE = Decimal("0.01")  # 万元: rounding of the sector figures

Figures = dict[str, int | Decimal | None]


def check_figures(figures: Figures) -> dict[str, str]:
    """Field → message for every logic error (empty when the figures are consistent)."""
    errors: dict[str, str] = {}
    for name in FIELDS:
        value = figures.get(name)
        if value is not None and value < 0:
            errors[name] = _("The figure cannot be negative.")

    def given(name: str):
        value = figures.get(name)
        return None if value is None or name in errors else value

    affected, damaged, failed = given("crop_affected_ha"), given("crop_disaster_ha"), given("crop_failed_ha")
    if damaged is not None and affected is not None and damaged > affected:
        errors["crop_disaster_ha"] = _("The damaged area cannot exceed the affected area.")
    if failed is not None and damaged is not None and failed > damaged:
        errors["crop_failed_ha"] = _("The lost area cannot exceed the damaged area.")
    elif failed is not None and damaged is None and affected is not None and failed > affected:
        errors["crop_failed_ha"] = _("The lost area cannot exceed the affected area.")
    total = given("direct_loss")
    sectors = [given(n) for n in SECTOR_FIELDS]
    if (
        total is not None
        and any(v is not None for v in sectors)
        and not any(n in errors for n in SECTOR_FIELDS)
    ):
        summed = sum((Decimal(v) for v in sectors if v is not None), Decimal(0))
        if abs(summed - Decimal(total)) > LOSS_TOLERANCE:
            errors["direct_loss"] = _("The sector losses add up to {sum} but the total is {total}.").format(
                sum=summed, total=total
            )
    return errors


def total_of(rows: list[Figures]) -> Figures:
    """Column sums; a column nobody gave stays None."""
    out: Figures = {}
    for name in FIELDS:
        values = [r.get(name) for r in rows if r.get(name) is not None]
        out[name] = sum(values, Decimal(0) if _is_decimal(name) else 0) if values else None  # type: ignore[arg-type]
    return out


def differences(own: Figures, totals: Figures) -> dict[str, int | Decimal]:
    """Own figure minus the lower level's total, for the indicators both give and that differ."""
    out: dict[str, int | Decimal] = {}
    for name in FIELDS:
        a, b = own.get(name), totals.get(name)
        if a is not None and b is not None and a != b:
            out[name] = a - b  # type: ignore[operator]
    return out


def _is_decimal(name: str) -> bool:
    return any(i.decimal for i in INDICATORS if i.field == name)


# -- stages -----------------------------------------------------------------------------------------

STAGES = ("initial", "update", "final")


@dataclass(frozen=True)
class History:
    """What a report has already submitted (versions that were not returned count)."""

    has_initial: bool
    final_accepted: bool
    event_status: str  # open | ended


def submit_refusal(stage: str, history: History) -> tuple[str, str, str] | None:
    """(field, code, message) when `stage` may not be submitted now, else None."""
    if stage not in STAGES:
        return "stage", "invalid_stage", _("Choose initial, update or final.")
    if history.final_accepted:
        return (
            "stage",
            "final_accepted",
            _("The final report was accepted; no further submission is possible."),
        )
    if stage == "initial" and history.has_initial:
        return "stage", "initial_exists", _("The initial report was already submitted; submit an update.")
    if stage in ("update", "final") and not history.has_initial:
        return "stage", "no_initial", _("Submit the initial report first.")
    if stage == "final" and history.event_status != "ended":
        return "stage", "event_open", _("The final report is due after the disaster event has ended.")
    return None


# -- deadlines (tracked with core escalation deadlines) ---------------------------------------------

DEADLINES = {
    "initial_hours_after_open": 2,  # 初报: within 2 hours of the event being opened
    "update_daily_hour": 9,  # 续报: every day by 09:00 while the event is open
    "final_days_after_end": 15,  # 核报: within 15 days of the end of the event
    "resubmit_hours": 2,  # a returned report is submitted again within 2 hours
}


def initial_due(opened_at: datetime.datetime) -> datetime.datetime:
    return opened_at + datetime.timedelta(hours=DEADLINES["initial_hours_after_open"])


def next_update_due(now: datetime.datetime) -> datetime.datetime:
    """The next daily update hour strictly after `now` (an aware local time)."""
    due = now.replace(hour=DEADLINES["update_daily_hour"], minute=0, second=0, microsecond=0)
    if due <= now:
        due += datetime.timedelta(days=1)
    return due


def final_due(ended_on: datetime.date, tz: datetime.tzinfo) -> datetime.datetime:
    day = ended_on + datetime.timedelta(days=DEADLINES["final_days_after_end"])
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=tz)


def resubmit_due(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(hours=DEADLINES["resubmit_hours"])
