"""Who hears about enforcement: the enterprise when a document is issued to it, and the enterprise (then
its officials) at the steps of an overdue order's ladder; nothing once the order is re-inspected."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from tests.inspections.scoping_enforcement import make_inspection

from yingji.core.escalation.services import Firing
from yingji.inspections import escalation_actions_enforcement as actions
from yingji.inspections import services_enforcement as services
from yingji.inspections.models_enforcement import RectificationOrder
from yingji.messaging.models import Message


def _firing(order: RectificationOrder, action: str) -> Firing:
    return Firing(
        deadline_id=0,
        content_type_id=ContentType.objects.get_for_model(order).pk,
        object_id=str(order.pk),
        assignee_id=None,
        due_at=timezone.now(),
        step_id=0,
        action=action,
        now=timezone.now(),
    )


def test_the_enterprise_is_told_of_its_order(
    django_capture_on_commit_callbacks, staff_user, enterprise_a, enterprise_a_user
):
    inspection = make_inspection(enterprise_a, findings=1, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_order(actor=staff_user, inspection=inspection)
    assert Message.objects.filter(recipient=enterprise_a_user, template="notice").count() == 1


def test_the_ladder_tells_the_enterprise_then_the_officials(
    staff_user, town_a_official, enterprise_a, enterprise_a_user
):
    order = services.issue_order(
        actor=staff_user, inspection=make_inspection(enterprise_a, findings=1, actor=staff_user)
    )
    assert actions.handle(_firing(order, "remind_assignee")) == "notified 1"
    outcome = actions.handle(_firing(order, "mark_overdue"))
    assert outcome.startswith("notified") and int(outcome.split()[1]) >= 3  # enterprise, town, bureau staff
    assert Message.objects.filter(recipient=town_a_official).exists()
    RectificationOrder.objects.filter(pk=order.pk).update(status="reinspected")
    assert actions.handle(_firing(order, "formal_letter")) == "skipped: reinspected"
