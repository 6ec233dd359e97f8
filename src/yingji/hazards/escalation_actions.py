"""What each step of the escalation ladder does to a hidden danger (registered for `hazards.Hazard` only).

The pass (`core.escalation.services.run_escalation_pass`) calls a handler once per fired step, inside
its transaction; messages leave after commit. A handler loads the hazard, skips it when it is no longer
waiting for its rectification (submitted, verified, closed), and otherwise tells the people concerned.
The formal steps (overdue, 函告, 通报, 约谈, 曝光) also write a HazardEvent `escalation_<action>`, so the
hazard's timeline and the reports show them; those rows are written directly, without the
notification hook, since the handler sends its own message.

Handlers are cheap: one query for the hazard and three for the messages; the recipients of an
enterprise or a division are looked up once per pass (`Firing.memo`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from yingji.core.escalation import services as escalation
from yingji.core.escalation.services import Firing
from yingji.hazards.models import Grade, Hazard, HazardEvent, Status
from yingji.hazards.notifications import (
    INAPP,
    INAPP_SMS,
    enterprise_users,
    hazard_context,
    officials_over,
    unique_except,
)
from yingji.messaging import services as messaging

# While the rectification is awaited the ladder may act; after submission it waits for others.
ESCALATABLE = frozenset({Status.REPORTED, Status.CONFIRMED, Status.RECTIFYING})
TEMPLATE = "hazard_escalation"
# What a handler reads of a hazard (an enterprise row has many columns; loading them all is most of
# the handler's time).
HAZARD_FIELDS = Hazard.objects.select_related("enterprise").only(
    "id", "title", "grade", "status", "due_at", "division_id", "enterprise_id", "enterprise__name"
)


def _memo(firing: Firing, key: tuple, lookup: Callable[[], list]) -> list:
    """One lookup per pass for each enterprise, division or assignee (Firing.memo is per pass)."""
    key = ("hazards", *key)
    if key not in firing.memo:
        firing.memo[key] = lookup()
    return firing.memo[key]


def _enterprise_users(hazard: Hazard, firing: Firing) -> list:
    return _memo(firing, ("enterprise", hazard.enterprise_id), lambda: enterprise_users(hazard))


def _superiors(hazard: Hazard, firing: Firing) -> list:
    return _memo(firing, ("officials", hazard.division_id), lambda: officials_over(hazard))


def _assignee_or_enterprise(hazard: Hazard, firing: Firing) -> list:
    if firing.assignee_id is not None:
        assignee = _memo(
            firing,
            ("user", firing.assignee_id),
            lambda: list(get_user_model().objects.filter(pk=firing.assignee_id, is_active=True)),
        )
        if assignee:
            return assignee
    return _enterprise_users(hazard, firing)


def _enterprise(hazard: Hazard, firing: Firing) -> list:
    return _assignee_or_enterprise(hazard, firing) + _enterprise_users(hazard, firing)


def _everyone(hazard: Hazard, firing: Firing) -> list:
    return _enterprise(hazard, firing) + _superiors(hazard, firing)


@dataclass(frozen=True)
class Step:
    recipients: Callable[[Hazard, Firing], list]
    record_event: bool  # write a HazardEvent row for the timeline and the reports


STEPS: dict[str, Step] = {
    "remind_assignee": Step(_assignee_or_enterprise, record_event=False),
    "notify_superior": Step(_superiors, record_event=False),
    "mark_overdue": Step(_enterprise, record_event=True),
    "formal_letter": Step(_everyone, record_event=True),  # 函告
    "public_notice": Step(_everyone, record_event=True),  # 通报
    "interview": Step(_everyone, record_event=True),  # 约谈
    "exposure": Step(_everyone, record_event=True),  # 曝光
}


def handle(firing: Firing) -> str:
    """Carry out one fired step for a hazard; returns the outcome recorded on the escalation event."""
    step = STEPS.get(firing.action)
    if step is None:
        return "recorded"
    try:
        hazard = HAZARD_FIELDS.get(pk=firing.object_id)
    except (Hazard.DoesNotExist, ValueError):
        return "skipped: no such hidden danger"
    if hazard.status not in ESCALATABLE:
        return f"skipped: {hazard.status}"
    if step.record_event:
        HazardEvent.objects.create(
            hazard=hazard,
            action=f"escalation_{firing.action}",
            from_status=hazard.status,
            to_status=hazard.status,
            actor=None,
            at=firing.now,
            data={"step": firing.action, "step_id": firing.step_id, "deadline_id": firing.deadline_id},
        )
    people = unique_except(step.recipients(hazard, firing), None)
    if people:
        context = hazard_context(hazard)
        context["step"] = firing.action
        channels = INAPP_SMS if hazard.grade == Grade.MAJOR else INAPP
        # The pass runs each handler in a savepoint of its own: no second one for the messages.
        messaging.send(people, TEMPLATE, context, channels, now=firing.now, savepoint=False)
    return f"notified {len(people)}"


def register() -> None:
    """Called from HazardsConfig.ready(): the ladder's actions for hidden dangers."""
    for action in STEPS:
        escalation.register_action(action, handle, model=Hazard)
