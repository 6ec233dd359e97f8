"""The warning state machine, who may approve, and when a warning has expired.

Plain functions over plain values (the services, pages and API share one table):
draft → approved → issued → updated → cancelled/expired. A blue or yellow warning may be issued
straight from draft; an orange or red one needs the approval of a second person (never its drafter).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _


class Action:
    APPROVE = "approve"
    ISSUE = "issue"
    UPDATE = "update"
    CANCEL = "cancel"
    EXPIRE = "expire"
    EDIT = "edit"  # change a draft in place


# (state, action) -> next state, as stored values.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", Action.EDIT): "draft",
    ("draft", Action.APPROVE): "approved",
    ("draft", Action.ISSUE): "issued",  # blue/yellow only (refusal)
    ("approved", Action.ISSUE): "issued",
    ("issued", Action.UPDATE): "updated",
    ("updated", Action.UPDATE): "updated",
    ("draft", Action.CANCEL): "cancelled",
    ("approved", Action.CANCEL): "cancelled",
    ("issued", Action.CANCEL): "cancelled",
    ("updated", Action.CANCEL): "cancelled",
    ("issued", Action.EXPIRE): "expired",
    ("updated", Action.EXPIRE): "expired",
}
LIVE = ("issued", "updated")  # on the feed, targeted, expiring
NEEDS_SECOND_PERSON = ("orange", "red")

PERMISSIONS = {
    Action.EDIT: "alerts.change_warning",
    Action.APPROVE: "alerts.approve_warning",
    Action.ISSUE: "alerts.issue_warning",
    Action.UPDATE: "alerts.issue_warning",
    Action.CANCEL: "alerts.issue_warning",
}


class TransitionError(Exception):
    """A forbidden action, with a stable code and the field it concerns (if any)."""

    def __init__(self, code: str, reason: str, field: str = "__all__"):
        super().__init__(str(reason))
        self.code = code
        self.reason = reason
        self.field = field


def next_status(status: str, action: str) -> str | None:
    return TRANSITIONS.get((status, action))


def needs_approval(level: str) -> bool:
    return level in NEEDS_SECOND_PERSON


def is_expired(expires: datetime.datetime | None, now: datetime.datetime) -> bool:
    return expires is not None and expires <= now


def approval_refusal(
    *, level: str, drafted_by_id: int | None, approver_id: int | None
) -> TransitionError | None:
    """An orange or red warning is approved by someone other than its drafter."""
    if needs_approval(level) and drafted_by_id is not None and drafted_by_id == approver_id:
        return TransitionError(
            "same_person", _("The drafter of an orange or red warning cannot approve it."), "approved_by"
        )
    return None


def refusal(warning, user, action: str, *, now: datetime.datetime) -> TransitionError | None:
    """Why `user` may not take `action` on `warning` now (None: they may). `user` None is the system."""
    permission = PERMISSIONS.get(action)
    if user is not None and permission and not user.has_perm(permission):
        return TransitionError("forbidden", _("You may not do this."))
    if next_status(warning.status, action) is None:
        return TransitionError(
            "invalid_state",
            _("This cannot be done to a warning in the state “{status}”.").format(status=warning.status),
            "status",
        )
    if action == Action.ISSUE:
        if warning.status == "draft" and needs_approval(warning.level):
            return TransitionError(
                "approval_required",
                _("An orange or red warning must be approved by a second person first."),
                "status",
            )
        if is_expired(warning.expires, now):
            return TransitionError(
                "expired", _("The warning has already expired; change its expiry first."), "expires"
            )
    if action == Action.APPROVE:
        return approval_refusal(
            level=warning.level,
            drafted_by_id=warning.drafted_by_id,
            approver_id=getattr(user, "pk", None),
        )
    return None


def allowed_actions(warning, user, *, now: datetime.datetime) -> list[str]:
    return [
        action
        for action in (Action.EDIT, Action.APPROVE, Action.ISSUE, Action.UPDATE, Action.CANCEL)
        if refusal(warning, user, action, now=now) is None
    ]
