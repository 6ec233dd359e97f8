"""What each step of the escalation ladder does to a rectification order (registered for
`inspections.RectificationOrder` only): while the order waits for its re-inspection, tell the
enterprise (and from `notify_superior` on, the officials over it); otherwise skip."""

from __future__ import annotations

from yingji.core.escalation import services as escalation
from yingji.core.escalation.services import Firing
from yingji.inspections import notifications_enforcement
from yingji.inspections.models_enforcement import RectificationOrder

STEPS = (
    "remind_assignee",
    "notify_superior",
    "mark_overdue",
    "formal_letter",
    "public_notice",
    "interview",
    "exposure",
)


def handle(firing: Firing) -> str:
    try:
        order = RectificationOrder.objects.select_related("enterprise").get(pk=firing.object_id)
    except (RectificationOrder.DoesNotExist, ValueError):
        return "skipped: no such order"
    if order.status != "issued":
        return f"skipped: {order.status}"
    sent = notifications_enforcement.order_escalated(
        order, firing.action, now=firing.now, assignee_id=firing.assignee_id
    )
    return f"notified {sent}"


def register() -> None:
    for action in STEPS:
        escalation.register_action(action, handle, model=RectificationOrder)
