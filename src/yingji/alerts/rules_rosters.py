"""Rules of the evacuation rosters and transfer rounds, as plain functions over plain values.

- Which trigger rows a warning matches (type or any, level at least the minimum) and which part of the
  warning's area they cover (the intersection of division-code prefixes).
- The marks a custodian may make from each state (one table for buttons, API and services).
- Roll-up keys: a village code's first 9 digits are its town, the first 6 its county.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from yingji.alerts.rules_targeting import meets, minimal_prefixes
from yingji.core.divisions import PREFIX_LENGTH

# current state -> the states a mark may move it to
MARKS: dict[str, tuple[str, ...]] = {
    "pending": ("moved", "refused", "not_home"),
    "moved": ("returned", "refused"),
    "refused": ("moved", "not_home"),
    "not_home": ("moved", "refused"),
    "returned": ("moved",),
}
STATES = ("pending", "moved", "refused", "not_home", "returned")
SAFE = ("moved", "returned")  # counted as done on the progress bars
ROLLUP_LENGTH = {"county": 6, "town": 9, "village": 12}
VILLAGE_CODE_LENGTH = 12


class MarkRefusal(Exception):
    """A mark that may not be made, with a stable code and the field it concerns."""

    def __init__(self, code: str, reason, field: str = "status"):
        super().__init__(str(reason))
        self.code = code
        self.reason = reason
        self.field = field


def trigger_matches(trigger: dict, *, event_type: str, level: str) -> bool:
    """`trigger`: {"event_type": "" or a code, "min_level": colour, "active": bool}."""
    if not trigger.get("active", True):
        return False
    if trigger["event_type"] not in ("", event_type):
        return False
    return meets(level, trigger["min_level"])


def intersect_prefixes(area: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The prefixes covered by both sets: the longer of each pair where one contains the other."""
    area, allowed = list(area), list(allowed)
    kept = []
    for a in area:
        for b in allowed:
            if a.startswith(b):
                kept.append(a)
            elif b.startswith(a):
                kept.append(b)
    return minimal_prefixes(kept)


def trigger_prefix(division_code: str, level: str) -> str:
    return division_code[: PREFIX_LENGTH[level]]


def mark_refusal(*, round_status: str, current: str, new: str) -> MarkRefusal | None:
    if round_status != "open":
        return MarkRefusal("round_closed", _("This transfer round is closed; statuses can no longer change."))
    if new not in STATES or new == "pending":
        return MarkRefusal("invalid_status", _("Unknown status."))
    if new not in MARKS.get(current, ()):
        return MarkRefusal(
            "invalid_transition",
            _("A person whose status is {current} cannot be marked {new}.").format(current=current, new=new),
        )
    return None


def allowed_marks(*, round_status: str, current: str) -> tuple[str, ...]:
    return MARKS.get(current, ()) if round_status == "open" else ()


def progress(counts: dict[str, int]) -> int:
    """Percentage of people safe (moved or returned) among all of them, rounded down."""
    total = sum(counts.get(state, 0) for state in STATES)
    if not total:
        return 0
    return sum(counts.get(state, 0) for state in SAFE) * 100 // total


def valid_village_code(code: str) -> bool:
    return len(code) == VILLAGE_CODE_LENGTH and code.isdigit() and code[9:] != "000"
