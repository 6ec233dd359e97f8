"""What each step of the escalation ladder does to a custodian duty task (registered for
`registry.DutyTask` only; the ladder is the core one, `core.escalation`, per division).

A task gets its deadline when it is generated (due at the end of its period). The steps of the
default ladder are read as: before the deadline, remind the custodian (`remind_assignee`); at the
deadline, tell the enterprise — its users and its main custodian (`notify_superior`); from the
formal letter on (函告, T+3 days by default), tell the bureau staff over the source's division.
`mark_overdue` and the later formal steps (通报, 约谈, 曝光) only record themselves for duties. A step
that fires after the task was done is skipped (doing the task closes the deadline anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from yingji.core.escalation import services as escalation
from yingji.core.escalation.services import Firing
from yingji.registry import notifications_custodians as notify
from yingji.registry.models_sources import DutyTask

TEMPLATE = "duty_escalation"
DONE = "done"


def _memo(firing: Firing, key: tuple, lookup: Callable[[], list]) -> list:
    key = ("registry.duties", *key)
    if key not in firing.memo:
        firing.memo[key] = lookup()
    return firing.memo[key]


def _custodian(task: DutyTask, firing: Firing) -> list:
    # nobody to remind personally: the enterprise hears instead
    return notify.custodian_people(task) or _enterprise(task, firing)


def _enterprise(task: DutyTask, firing: Firing) -> list:
    return _memo(firing, ("enterprise", task.source_id), lambda: notify.enterprise_people(task))


def _bureau(task: DutyTask, firing: Firing) -> list:
    return _memo(firing, ("bureau", task.division_id), lambda: notify.bureau_people(task))


@dataclass(frozen=True)
class Step:
    recipients: Callable[[DutyTask, Firing], list]
    channels: tuple[str, ...]


STEPS: dict[str, Step] = {
    "remind_assignee": Step(_custodian, notify.INAPP),
    "notify_superior": Step(lambda t, f: notify.custodian_people(t) + _enterprise(t, f), notify.INAPP_SMS),
    "formal_letter": Step(_bureau, notify.INAPP_SMS),
}


def handle(firing: Firing) -> str:
    """Carry out one fired step for a duty task; returns the outcome recorded on the event."""
    step = STEPS.get(firing.action)
    if step is None:
        return "recorded"
    try:
        task = notify.TASK_FIELDS.get(pk=firing.object_id)
    except (DutyTask.DoesNotExist, ValueError):
        return "skipped: no such duty task"
    if task.status == DONE:
        return "skipped: done"
    context = notify.task_context(task)
    context["step"] = firing.action
    # The pass runs each handler in a savepoint of its own: no second one for the messages.
    count = notify.send(
        step.recipients(task, firing), TEMPLATE, context, step.channels, now=firing.now, savepoint=False
    )
    return f"notified {count}"


def register() -> None:
    """Called from RegistryConfig.ready()."""
    for action in STEPS:
        escalation.register_action(action, handle, model=DutyTask)
