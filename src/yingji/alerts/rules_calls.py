"""The 叫应 ladder's timing and the acknowledgement checks, as plain functions over plain values.

A root call's steps: 0 the call, 1..N redials spread evenly within the deadline (N = redials),
then at the deadline the B role, one deadline later the superior (who confirms on the target's
behalf), one more deadline later the target is recorded unreachable. A step with no one to call
(no B role, no superior) is recorded and the next one follows at once.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

DEFAULT_ACK_MINUTES = {"red": 5, "orange": 15, "yellow": 30, "blue": 60}
DEFAULT_REDIALS = 3
DEFAULT_CHANNELS = ["inapp", "sms", "voice"]
CHANNELS = ("inapp", "sms", "voice", "email", "webhook")
OPEN = ("calling", "unreachable")  # a root call that can still be acknowledged
DONE = ("acknowledged", "confirmed")
FINAL_ACTION = "unreachable"


class AckError(Exception):
    """An acknowledgement refused, with a stable code and the field it concerns."""

    def __init__(self, code: str, message, field: str = "code", status: int = 400):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.status = status


def ladder(redials: int) -> list[str]:
    return ["call"] + ["redial"] * redials + ["backup", "superior", FINAL_ACTION]


def action_of(step: int, redials: int) -> str | None:
    steps = ladder(redials)
    return steps[step] if step < len(steps) else None


def due_at(
    step: int, *, called_at: datetime.datetime, ack_minutes: int, redials: int
) -> datetime.datetime | None:
    """When step `step` is due (None after the last step)."""
    if step >= len(ladder(redials)):
        return None
    deadline = datetime.timedelta(minutes=ack_minutes)
    if step <= redials:
        return called_at + deadline * step / (redials + 1)
    return called_at + deadline * (step - redials)


def parse_ack_minutes(text: str) -> dict[str, int]:
    """ "red=5,orange=15,yellow=30,blue=60" (any subset) over the defaults; ValueError when malformed."""
    minutes = dict(DEFAULT_ACK_MINUTES)
    for part in filter(None, (p.strip() for p in text.split(","))):
        level, _sep, value = part.partition("=")
        level = level.strip()
        if level not in minutes or not value.strip().isdigit() or int(value) <= 0:
            raise ValueError(f"YINGJI_CALL_ACK_MINUTES: bad item {part!r} (e.g. red=5,orange=15)")
        minutes[level] = int(value)
    return minutes


def clean_channels(channels: list[str]) -> list[str]:
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise ValueError(", ".join(unknown))
    return list(dict.fromkeys(channels))  # order kept, repeats dropped


def superior_loop(entry_id: int | None, superior_id: int | None, superior_of: dict[int, int | None]) -> bool:
    """Would `entry_id` → `superior_id` close a loop, given every other entry's superior?"""
    if superior_id is None:
        return False
    seen = set()
    current: int | None = superior_id
    while current is not None:
        if current == entry_id or current in seen:
            return True
        seen.add(current)
        current = superior_of.get(current)
    return False


def ack_refusal(
    *,
    warning_live: bool,
    call_status: str,
    root_status: str,
    person_matches: bool,
) -> AckError | None:
    """Why this acknowledgement cannot be taken (None: it can)."""
    if not person_matches:
        return AckError("wrong_person", _("This code was issued to another person."), status=403)
    if call_status in DONE or root_status in DONE:
        return AckError("code_used", _("This call has already been acknowledged."), status=409)
    if not warning_live:
        return AckError(
            "warning_closed", _("The warning has been cancelled or has expired."), "warning", status=409
        )
    if call_status == "stopped":
        return AckError("code_used", _("This call is closed."), status=409)
    return None


def clean_feedback(evacuated) -> int | None:
    if evacuated in (None, ""):
        return None
    try:
        number = int(evacuated)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise AckError(
            "invalid_data", _("The number of people moved must be a whole number ≥ 0."), "evacuated"
        )
    return number
