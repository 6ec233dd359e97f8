"""Rules of online supervision (非现场执法): pure functions, no request, no database."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext_lazy as _

OPEN_TARGET = "pending"
ANSWERED = ("answered", "late")
BAD_VIDEO = ("off_post", "asleep", "offline", "other")
BAD_DUST = ("late", "missed")
BAD_TARGET = ("late", "no_answer")
FLAG_NAMES = (
    "hazchem_production",
    "hazchem_business",
    "hazchem_use",
    "major_hazard_source",
    "key_process",
    "dust_explosion",
    "ammonia_refrigeration",
    "confined_space",
    "metallurgy",
    "metal_smelting",
    "small_micro",
)
MAX_MINUTES = 24 * 60
WINDOW_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


class SupervisionError(Exception):
    """A refused answer: a stable `code`, a message, the field it is about and the HTTP status."""

    def __init__(self, code: str, message, field: str = "__all__", status: int = 400):
        super().__init__(str(message))
        self.code, self.message, self.field, self.status = code, message, field, status


def answer_status(now: datetime.datetime, deadline_at: datetime.datetime) -> str:
    """An answer by the deadline is "answered", after it (and before closing) "late"."""
    return "answered" if now <= deadline_at else "late"


def answer_refusal(*, roll_call_status: str, targeted: bool) -> SupervisionError | None:
    """Why an answer is refused (None: take it). A repeated answer is not refused: it keeps the first."""
    if not targeted:
        return SupervisionError(
            "not_targeted", _("Your enterprise is not called by this roll-call."), status=403
        )
    if roll_call_status != "open":
        return SupervisionError(
            "rollcall_closed", _("This roll-call is closed: answers are no longer taken."), status=409
        )
    return None


def clean_pool(division: str, industries: list[str], flags: list[str]) -> dict:
    """The pool as stored; ValueError naming the bad part."""
    industries = sorted({i.strip().upper() for i in industries if i and i.strip()})
    for code in industries:
        if not re.fullmatch(r"[A-T]?\d{0,4}", code) or not code:
            raise ValueError("industries")
    flags = sorted({f.strip() for f in flags if f and f.strip()})
    if any(f not in FLAG_NAMES for f in flags):
        raise ValueError("flags")
    return {"division": division, "industries": industries, "flags": flags}


def industry_prefix(code: str) -> str:
    """GB/T 4754 codes are stored without the section letter ("26"); a letter alone matches nothing
    numeric, so "C26" becomes "26"."""
    return code.lstrip("ABCDEFGHIJKLMNOPQRST")


def minutes_of_day(moment: datetime.time) -> int:
    return moment.hour * 60 + moment.minute


def parse_windows(windows: list[str]) -> list[tuple[int, int]]:
    """["08:00-09:00", ...] → [(480, 540), ...] sorted; ValueError on a bad, empty, reversed or
    overlapping window."""
    if not windows:
        raise ValueError("empty")
    parsed = []
    for text in windows:
        match = WINDOW_RE.match((text or "").strip())
        if match is None:
            raise ValueError(text)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValueError(text)
        parsed.append((start, end))
    parsed.sort()
    for (_s1, e1), (s2, _e2) in zip(parsed, parsed[1:], strict=False):
        if s2 < e1:
            raise ValueError("overlap")
    return parsed


def window_text(window: tuple[int, int]) -> str:
    start, end = window
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def evaluate_day(
    windows: list[tuple[int, int]], checkins: list[int], *, until: int = MAX_MINUTES
) -> list[tuple[tuple[int, int], str, int | None]]:
    """Each window of a day with its result, given the minutes of day of its check-ins and how far
    the day has gone (`until`, minutes; the whole day by default).

    A check-in inside a window fills it ("done"). The check-ins left fill, in time order, the
    earliest open window that ended before them ("late"); a check-in before a window's start does not
    count for it. A window still open or not yet started at `until` gets no result (left out).
    Returns (window, status, index of the check-in or None), in window order.
    """
    order = sorted(range(len(checkins)), key=lambda i: checkins[i])
    used: set[int] = set()
    filled: dict[int, tuple[str, int]] = {}
    for w, (start, end) in enumerate(windows):
        for i in order:
            if i not in used and start <= checkins[i] <= end:
                used.add(i)
                filled[w] = ("done", i)
                break
    for i in order:
        if i in used:
            continue
        for w, (_start, end) in enumerate(windows):
            if w not in filled and end < checkins[i]:
                used.add(i)
                filled[w] = ("late", i)
                break
    results: list[tuple[tuple[int, int], str, int | None]] = []
    for w, window in enumerate(windows):
        if w in filled:
            status, index = filled[w]
            results.append((window, status, index))
        elif window[1] <= until:
            results.append((window, "missed", None))
    return results


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, None when there is nothing to count."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def town_code(division_code: str) -> str:
    return division_code[:9].ljust(12, "0")
