"""The escalation ladder acting on hidden dangers: each step once, messages, timeline rows, skips."""

import datetime

import pytest
from django.utils import timezone

from yingji.core.escalation import services as esc
from yingji.core.escalation.models import EscalationEvent
from yingji.hazards import escalation_actions, services
from yingji.hazards.models import HazardEvent
from yingji.messaging.models import Delivery, Message

DAY = datetime.timedelta(days=1)
MAJOR = ["chem-2017-4"]


@pytest.fixture
def due():
    return (timezone.now() + 20 * DAY).replace(microsecond=0)


@pytest.fixture
def officials(staff_user, admin_user, town_a_official, town_b_official, leader):
    return [staff_user, admin_user, town_a_official, town_b_official, leader]


def _hazard(reporter, confirmer, due, grade):
    hazard = services.report_hazard(
        actor=reporter,
        title="消防通道堵塞",
        source="self_check",
        grade=grade,
        criteria=MAJOR if grade == "major" else [],
    )
    return services.confirm_hazard(hazard, actor=confirmer, grade=grade, treatment="deadline", due_at=due)


@pytest.fixture
def hazard(enterprise_a_user, enterprise_a_manager, officials, due):
    return _hazard(enterprise_a_user, enterprise_a_manager, due, "general")


@pytest.fixture
def major(enterprise_a_user, enterprise_a_manager, officials, due):
    for i, user in enumerate([enterprise_a_user, enterprise_a_manager, *officials]):
        user.phone = f"1390000{i:04d}"
        user.save(update_fields=["phone"])
    return _hazard(enterprise_a_user, enterprise_a_manager, due, "major")


def told(step):
    return sorted(
        Message.objects.filter(template="hazard_escalation", context__step=step).values_list(
            "recipient__username", flat=True
        )
    )


def escalation_rows(hazard):
    return list(
        HazardEvent.objects.filter(hazard=hazard, action__startswith="escalation_").values_list(
            "action", flat=True
        )
    )


def outcomes():
    return dict(EscalationEvent.objects.values_list("action", "outcome"))


def test_the_handlers_are_registered_for_hazards_only(hazard, enterprise_a):
    from django.contrib.contenttypes.models import ContentType

    from yingji.hazards.models import Hazard
    from yingji.registry.models import Enterprise

    hazard_type = ContentType.objects.get_for_model(Hazard).pk
    other_type = ContentType.objects.get_for_model(Enterprise).pk
    for action in escalation_actions.STEPS:
        assert esc.handler_for(action, hazard_type) is escalation_actions.handle
        assert esc.handler_for(action, other_type) is esc.record_only


def test_the_reminder_goes_to_the_assignee_once(hazard, due):
    assert esc.run_escalation_pass(now=due - DAY) == 1
    assert told("remind_assignee") == ["ent_a"]  # the reporter of the enterprise is the assignee
    assert outcomes() == {"remind_assignee": "notified 1"}
    assert esc.run_escalation_pass(now=due - DAY) == 0
    assert Message.objects.count() == 1
    assert escalation_rows(hazard) == []  # a reminder is not a timeline event


def test_at_the_deadline_the_superiors_hear_and_the_hazard_is_marked_overdue(hazard, due):
    esc.run_escalation_pass(now=due - DAY)
    assert esc.run_escalation_pass(now=due) == 2
    assert told("notify_superior") == ["admin", "staff", "town_a"]
    assert told("mark_overdue") == ["ent_a", "ent_a_mgr"]
    assert escalation_rows(hazard) == ["escalation_mark_overdue"]
    row = HazardEvent.objects.get(hazard=hazard, action="escalation_mark_overdue")
    assert row.data["step"] == "mark_overdue" and row.actor_id is None
    assert row.from_status == row.to_status == "confirmed"
    assert esc.run_escalation_pass(now=due) == 0
    assert escalation_rows(hazard) == ["escalation_mark_overdue"]


def test_the_whole_ladder_fires_each_step_once_with_a_timeline_row(hazard, due):
    assert esc.run_escalation_pass(now=due + 30 * DAY) == 7
    assert esc.run_escalation_pass(now=due + 31 * DAY) == 0
    assert escalation_rows(hazard) == [
        "escalation_mark_overdue",
        "escalation_formal_letter",
        "escalation_public_notice",
        "escalation_interview",
        "escalation_exposure",
    ]
    for step in ("formal_letter", "public_notice", "interview", "exposure"):
        assert told(step) == ["admin", "ent_a", "ent_a_mgr", "staff", "town_a"]
    # Escalation rows do not go through the notification hook: no other template was used.
    assert set(Message.objects.values_list("template", flat=True)) == {"hazard_escalation"}


def test_a_major_hazard_is_escalated_by_sms_too(major, due):
    esc.run_escalation_pass(now=due)
    sms = Delivery.objects.filter(channel="sms", message__template="hazard_escalation")
    assert set(sms.values_list("message__recipient__username", flat=True)) == {
        "ent_a",
        "ent_a_mgr",
        "staff",
        "admin",
        "town_a",
    }


def test_a_submitted_hazard_is_skipped(hazard, due, enterprise_a_user):
    plan = {"measures": "清理", "responsible": "王工", "funds": 100, "contingency": "预案"}
    services.start_rectification(hazard, actor=enterprise_a_user, **plan)
    services.submit_rectification(hazard, actor=enterprise_a_user, note="已清理")
    assert esc.run_escalation_pass(now=due + 3 * DAY) == 4  # the steps are recorded, nothing is done
    assert all(outcome.startswith("skipped") for outcome in outcomes().values())
    assert escalation_rows(hazard) == []
    assert not Message.objects.filter(template="hazard_escalation").exists()


def test_a_closed_hazard_is_off_the_ladder(hazard, due, enterprise_a_user, enterprise_a_manager):
    plan = {"measures": "清理", "responsible": "王工", "funds": 100, "contingency": "预案"}
    services.start_rectification(hazard, actor=enterprise_a_user, **plan)
    services.submit_rectification(hazard, actor=enterprise_a_user, note="已清理")
    services.verify_hazard(hazard, actor=enterprise_a_manager)
    assert esc.run_escalation_pass(now=due + 30 * DAY) == 0
    assert escalation_rows(hazard) == []


def test_a_deleted_record_is_skipped(hazard, due):
    firing = esc.Firing(0, 0, "999999", None, due, 0, "formal_letter", due)
    assert escalation_actions.handle(firing).startswith("skipped")


def test_without_an_assignee_the_reminder_goes_to_the_enterprise(
    staff_user, enterprise_a, enterprise_a_user, enterprise_a_manager, officials, due
):
    hazard = services.report_hazard(
        actor=staff_user, title="配电箱无防护", source="inspection", enterprise=enterprise_a
    )
    services.confirm_hazard(hazard, actor=staff_user, grade="general", treatment="deadline", due_at=due)
    esc.run_escalation_pass(now=due - DAY)
    assert told("remind_assignee") == ["ent_a", "ent_a_mgr"]
