"""Self-check schedules (日周月排查): the period arithmetic of a plan and the self-check rate.

Periods are keyed by their first day (`CheckTask.period_start`, unique per plan):
- daily: the day itself, due that day;
- weekly: the ISO week (Monday to Sunday), due on Sunday;
- monthly: the calendar month, due on its last day;
- once: the plan's `starts_on`, due on `ends_on` (or `starts_on` when there is no end).

Pure functions of dates: no database here.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import NamedTuple

DAILY, WEEKLY, MONTHLY, ONCE = "daily", "weekly", "monthly", "once"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY, ONCE)


class Period(NamedTuple):
    start: datetime.date  # the key of the period (CheckTask.period_start)
    due: datetime.date  # the last day to do the check (CheckTask.due_on)


def _check_frequency(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")


def period_start(frequency: str, day: datetime.date) -> datetime.date:
    """The first day of the recurring period that contains `day`."""
    _check_frequency(frequency)
    if frequency == WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    if frequency == MONTHLY:
        return day.replace(day=1)
    return day


def due_date(frequency: str, start: datetime.date, *, ends_on: datetime.date | None = None) -> datetime.date:
    """The due date of the period starting on `start` (for `once`, `start` is the plan's `starts_on`)."""
    _check_frequency(frequency)
    if frequency == WEEKLY:
        return start + datetime.timedelta(days=6 - start.weekday())
    if frequency == MONTHLY:
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if frequency == ONCE:
        return ends_on if ends_on is not None and ends_on >= start else start
    return start


def period_of(frequency: str, day: datetime.date, *, ends_on: datetime.date | None = None) -> Period:
    start = period_start(frequency, day)
    return Period(start, due_date(frequency, start, ends_on=ends_on))


def current_period(
    frequency: str, starts_on: datetime.date, ends_on: datetime.date | None, today: datetime.date
) -> Period | None:
    """The period a plan should have a task for today, or None (not started yet, or over).

    A recurring plan runs from `starts_on` to `ends_on` inclusive; its period is the one containing
    today (a weekly plan starting on a Wednesday gets that week's task, due Sunday). A one-off check
    is current from `starts_on` to its due date.
    """
    _check_frequency(frequency)
    if today < starts_on:
        return None
    if frequency == ONCE:
        period = Period(starts_on, due_date(ONCE, starts_on, ends_on=ends_on))
        return period if today <= period.due else None
    if ends_on is not None and today > ends_on:
        return None
    return period_of(frequency, today)


def periods_between(
    frequency: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    start: datetime.date,
    end: datetime.date,
) -> list[Period]:
    """Every period of a plan (running `starts_on`..`ends_on`) that overlaps `start`..`end`, in order."""
    _check_frequency(frequency)
    if end < start:
        raise ValueError("end before start")
    if frequency == ONCE:
        period = Period(starts_on, due_date(ONCE, starts_on, ends_on=ends_on))
        return [period] if period.start <= end and period.due >= start else []
    first = max(start, starts_on)
    last = min(end, ends_on) if ends_on is not None else end
    periods = []
    cursor = period_start(frequency, first)
    while cursor <= last:
        period = Period(cursor, due_date(frequency, cursor))
        periods.append(period)
        cursor = period.due + datetime.timedelta(days=1)
    return periods


@dataclass(frozen=True)
class Rate:
    """The self-check rate: done / (done + missed + pending past due). None when nothing was due."""

    done: int = 0
    missed: int = 0
    overdue: int = 0  # pending, past the due date, not yet marked missed

    @property
    def due(self) -> int:
        return self.done + self.missed + self.overdue

    @property
    def rate(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)

    def as_dict(self) -> dict:
        return {
            "done": self.done,
            "missed": self.missed,
            "overdue": self.overdue,
            "due": self.due,
            "rate": None if self.rate is None else round(self.rate, 4),
        }
