"""Rules of warning notices (预警提示单): who may issue, who may answer, who is late. Plain values only."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

ISSUE_PERMISSION = "alerts.issue_warning"  # the bureau and duty officers issue warnings and notices
VIEW_PERMISSION = "alerts.view_warning"
MAX_TITLE = 200


def document_no(year: int, number: int) -> str:
    return f"预警提示单〔{year}〕{number}号"


def next_number(last: int | None) -> int:
    """Gap-free: one after the highest number of the division's year (1 for the first)."""
    return (last or 0) + 1


def feedback_due_problem(
    due: datetime.datetime | None, now: datetime.datetime
) -> str | None:  # the message for the `feedback_due` field, if any
    if due is None:
        return str(_("The feedback deadline is required."))
    if due <= now:
        return str(_("The feedback deadline must be in the future."))
    return None


def may_answer(
    *,
    user_id: int | None,
    user_division: str | None,
    recipient_user_id: int | None,
    recipient_division: str | None,
) -> bool:
    """The addressed person, or someone of the addressed division itself, answers for a recipient."""
    if recipient_user_id is not None and user_id == recipient_user_id:
        return True
    return recipient_division is not None and user_division == recipient_division


def recipient_state(
    *, answered_at: datetime.datetime | None, due: datetime.datetime, now: datetime.datetime
) -> str:
    """`answered`, `answered_late`, `late` (no answer after the deadline) or `waiting`."""
    if answered_at is not None:
        return "answered_late" if answered_at > due else "answered"
    return "late" if now > due else "waiting"


STATE_LABELS = {
    "answered": _("Answered"),
    "answered_late": _("Answered late"),
    "late": _("Late"),
    "waiting": _("Waiting"),
}
