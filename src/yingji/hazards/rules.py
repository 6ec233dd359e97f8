"""The hidden-danger state machine, who may take which action, and the criteria checklists.

Plain functions over plain values: the services and the pages/API ask `allowed_actions(hazard, user)`
and `check(hazard, user, action)` so the buttons, the API and the services agree on one table.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.models import EscalationAction
from yingji.hazards.models import Grade, Status

DATA_DIR = Path(__file__).resolve().parent / "data"


class Action:
    CONFIRM = "confirm"
    START = "start"  # the rectification plan (五到位 for a major hazard) → rectifying
    SUBMIT = "submit"
    REJECT = "reject"
    VERIFY = "verify"
    SIGN_OFF = "sign_off"
    LIST = "list"  # 挂牌督办 (no state change)
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"


ACTION_LABELS = {
    Action.CONFIRM: _("Confirm"),
    Action.START: _("Start rectification"),
    Action.SUBMIT: _("Submit for verification"),
    Action.REJECT: _("Reject"),
    Action.VERIFY: _("Verify"),
    Action.SIGN_OFF: _("Sign off and close"),
    Action.LIST: _("List for supervision"),
    Action.REQUEST_EXTENSION: _("Request an extension"),
    Action.DECIDE_EXTENSION: _("Decide the extension"),
}

# What each HazardEvent.action reads as on the timeline (the actions above, and the events that are not
# actions: the report itself, extension decisions, photos, and the escalation ladder's steps).
EVENT_LABELS = {
    **ACTION_LABELS,
    "report": _("Reported"),
    "approve_extension": _("Extension approved"),
    "reject_extension": _("Extension rejected"),
    "add_photos": _("Photos added"),
    **{f"escalation_{value}": label for value, label in EscalationAction.choices},
}

# (state, action) -> next state, as the stored values (mypy sees Django's TextChoices members as tuples
# without stubs; tests/hazards check every value is a Status). VERIFY of a supervised hazard stops at
# VERIFIED (see next_status).
TRANSITIONS: dict[tuple[str, str], str] = {
    ("reported", Action.CONFIRM): "confirmed",
    ("confirmed", Action.START): "rectifying",
    ("rectifying", Action.SUBMIT): "submitted",
    ("submitted", Action.REJECT): "rectifying",
    ("submitted", Action.VERIFY): "closed",
    ("verified", Action.SIGN_OFF): "closed",
}


PERMISSIONS = {
    Action.CONFIRM: "hazards.confirm_hazard",
    Action.START: "hazards.rectify_hazard",
    Action.SUBMIT: "hazards.rectify_hazard",
    Action.REJECT: "hazards.verify_hazard",
    Action.VERIFY: "hazards.verify_hazard",
    Action.SIGN_OFF: "hazards.supervise_hazard",
    Action.LIST: "hazards.supervise_hazard",
    Action.REQUEST_EXTENSION: "hazards.rectify_hazard",
    Action.DECIDE_EXTENSION: "hazards.supervise_hazard",  # the bureau or town, never the enterprise
}


class TransitionError(Exception):
    """A forbidden action: the API answers 409 with `reason`, the page shows it."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def next_status(status: str, action: str, *, supervised: bool) -> str | None:
    target = TRANSITIONS.get((status, action))
    if action == Action.VERIFY and target == "closed" and supervised:
        return "verified"
    return target


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about a hazard beyond its fields (looked up by the services)."""

    supervision_authority: str | None = None  # division code of the active listing
    extension_pending: bool = False


def _user_is_authority(user, authority_code: str | None) -> bool:
    """The supervising authority is a user placed at the authority's division or above it."""
    if authority_code is None or getattr(user, "is_enterprise_user", False):
        return False
    prefix = getattr(user, "scope_prefix", None)
    return prefix is not None and authority_code.startswith(prefix)


def refusal(hazard, user, action: str, facts: Facts = Facts()) -> TransitionError | None:
    """Why `user` may not take `action` on `hazard` now, or None if they may."""
    if action not in PERMISSIONS:
        return TransitionError("unknown_action", str(_("Unknown action.")))
    if not user.has_perm(PERMISSIONS[action]):
        return TransitionError("forbidden", str(_("You do not have permission for this action.")))
    if action == Action.LIST:
        if hazard.grade != Grade.MAJOR:
            return TransitionError(
                "not_major", str(_("Only a major hidden danger can be listed for supervision."))
            )
        if hazard.status == Status.CLOSED:
            return TransitionError("closed", str(_("The hidden danger is closed.")))
        if hazard.is_supervised:
            return TransitionError(
                "already_listed", str(_("The hidden danger is already listed for supervision."))
            )
        return None
    if action == Action.REQUEST_EXTENSION:
        if hazard.status not in (Status.CONFIRMED, Status.RECTIFYING) or hazard.due_at is None:
            return TransitionError(
                "no_open_deadline",
                str(_("Only a hidden danger being rectified by a deadline can be extended.")),
            )
        if facts.extension_pending:
            return TransitionError(
                "extension_pending", str(_("An extension request is already waiting for a decision."))
            )
        return None
    if action == Action.DECIDE_EXTENSION:
        if not facts.extension_pending:
            return TransitionError("no_extension_request", str(_("There is no extension request to decide.")))
        return None
    if (hazard.status, action) not in TRANSITIONS:
        return TransitionError(
            "forbidden_transition",
            str(_("“{action}” is not possible while the hidden danger is “{status}”.")).format(
                action=ACTION_LABELS[action], status=Status(hazard.status).label
            ),
        )
    if action in (Action.VERIFY, Action.REJECT) and hazard.rectified_by_id == user.pk:
        return TransitionError(
            "verifier_is_rectifier",
            str(_("The verification must be done by someone other than the rectifier.")),
        )
    if action == Action.SIGN_OFF and not _user_is_authority(user, facts.supervision_authority):
        return TransitionError(
            "not_authority", str(_("Only the supervising authority can sign off this hidden danger."))
        )
    return None


def allowed_actions(hazard, user, facts: Facts = Facts()) -> list[str]:
    return [action for action in PERMISSIONS if refusal(hazard, user, action, facts) is None]


# "Overdue": the deadline has passed while the rectification is still owed. Once the work is submitted
# (or verified, or closed) the hazard is no longer overdue, whatever its deadline.
OVERDUE_STATUSES = (Status.REPORTED, Status.CONFIRMED, Status.RECTIFYING)


def is_overdue(hazard, now: datetime.datetime) -> bool:
    return hazard.status in OVERDUE_STATUSES and hazard.due_at is not None and hazard.due_at < now


def overdue_q(now: datetime.datetime) -> Q:
    """The same rule as `is_overdue`, as a query condition (lists, filters, exports, the API)."""
    return Q(status__in=OVERDUE_STATUSES, due_at__lt=now)


def check_five_in_place(
    *, measures: str, responsible: str, funds, due_at, contingency: str
) -> dict[str, str]:
    """五到位 of a major hazard's plan:措施、责任、资金、时限、预案. Returns {field: message} for gaps."""
    errors: dict[str, str] = {}
    if not (measures or "").strip():
        errors["plan_measures"] = str(_("The rectification measures are required for a major hidden danger."))
    if not (responsible or "").strip():
        errors["plan_responsible"] = str(_("The responsible person is required for a major hidden danger."))
    if funds is None or funds <= 0:
        errors["plan_funds"] = str(_("The funds (greater than zero) are required for a major hidden danger."))
    if due_at is None:
        errors["due_at"] = str(_("The deadline is required for a major hidden danger."))
    if not (contingency or "").strip():
        errors["plan_contingency"] = str(_("The contingency plan is required for a major hidden danger."))
    return errors


# -- 重大事故隐患判定标准 --------------------------------------------------------------------------------

CRITERIA_FILES = {
    "chem-2017": ("hazard_criteria_chem_2017.csv", _("Chemicals and hazardous chemicals (2017)")),
    "gongmao-2023": (
        "hazard_criteria_gongmao_2023_general.csv",
        _("Industry and trade, general items (2023)"),
    ),
}


@dataclass(frozen=True)
class Criterion:
    code: str
    standard: str
    number: int
    short: str
    text: str
    source: str


@cache
def shipped_criteria() -> tuple[Criterion, ...]:
    rows = []
    for standard, (filename, _label) in CRITERIA_FILES.items():
        with (DATA_DIR / filename).open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                number = int(row["no"])
                rows.append(
                    Criterion(
                        code=f"{standard}-{number}",
                        standard=standard,
                        number=number,
                        short=row["short"].strip(),
                        text=row["text"].strip(),
                        # The reference's research notes ("[S4-1, …]") are not part of the clause.
                        source=re.sub(r"\s*\[[^\]]*\]\s*$", "", row["source"]).strip(),
                    )
                )
    return tuple(rows)


def town_code(division_code: str) -> str:
    """The town a division belongs to, as a 12-digit code (a county-level code stays itself)."""
    return division_code[:9].ljust(12, "0")
