"""Escalation timing as pure functions: no database, no clock (callers pass `now`).

A ladder is a sequence of `Step`s sorted by (offset, order); a deadline's position on it is the index
of the next step to fire. Steps before that index have fired and stay fired, whatever happens to the
deadline later (an extension only moves the steps still to come).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass

MINUTE = 1
HOUR = 60 * MINUTE
DAY = 24 * HOUR


@dataclass(frozen=True)
class Step:
    offset_minutes: int  # relative to the deadline; negative = before it
    action: str
    order: int = 0

    @functools.cached_property
    def delta(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.offset_minutes)


# The default ladder (remind → superior + overdue → 函告 → 通报 → 约谈 → 曝光).
DEFAULT_LADDER: tuple[Step, ...] = (
    Step(-1 * DAY, "remind_assignee", 1),
    Step(0, "notify_superior", 2),
    Step(0, "mark_overdue", 3),
    Step(3 * DAY, "formal_letter", 4),
    Step(7 * DAY, "public_notice", 5),
    Step(15 * DAY, "interview", 6),
    Step(30 * DAY, "exposure", 7),
)


def ordered(steps: Sequence[Step]) -> list[Step]:
    return sorted(steps, key=lambda s: (s.offset_minutes, s.order))


def step_time(due_at: datetime.datetime, step: Step) -> datetime.datetime:
    return due_at + step.delta


def next_step_at(steps: Sequence[Step], due_at: datetime.datetime, index: int) -> datetime.datetime | None:
    """When the step at `index` is due, or None when the ladder is exhausted."""
    return step_time(due_at, steps[index]) if 0 <= index < len(steps) else None


def due_steps(
    steps: Sequence[Step], due_at: datetime.datetime, index: int, now: datetime.datetime
) -> list[int]:
    """Indexes of the steps to fire at `now`, in order, starting at `index` (missed ones included)."""
    due = []
    while index < len(steps) and step_time(due_at, steps[index]) <= now:
        due.append(index)
        index += 1
    return due


@dataclass(frozen=True)
class Position:
    next_step_index: int
    next_step_at: datetime.datetime | None


def after_firing(steps: Sequence[Step], due_at: datetime.datetime, fired: Sequence[int]) -> Position:
    """The position once the steps `fired` (consecutive indexes) have fired."""
    index = fired[-1] + 1
    return Position(index, next_step_at(steps, due_at, index))


def reschedule(steps: Sequence[Step], new_due_at: datetime.datetime, index: int) -> Position:
    """After an extension: fired steps stay fired; the next one moves with the deadline."""
    return Position(index, next_step_at(steps, new_due_at, index))
