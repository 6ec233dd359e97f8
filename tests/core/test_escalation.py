"""Deadlines and escalation ladders: the pure timing rules, then the services and the periodic pass."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from yingji.core.escalation import rules
from yingji.core.escalation import services as esc
from yingji.core.escalation.models import Deadline, EscalationEvent, ExtensionState
from yingji.core.models import AuditLog

DAY = datetime.timedelta(days=1)
DUE = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
LADDER = rules.ordered(rules.DEFAULT_LADDER)


def actions(indexes):
    return [LADDER[i].action for i in indexes]


# -- rules --------------------------------------------------------------------------------------------


def test_default_ladder_times_are_relative_to_the_deadline():
    times = [rules.step_time(DUE, s) for s in LADDER]
    assert times == [DUE - DAY, DUE, DUE, DUE + 3 * DAY, DUE + 7 * DAY, DUE + 15 * DAY, DUE + 30 * DAY]
    assert rules.next_step_at(LADDER, DUE, 0) == DUE - DAY
    assert rules.next_step_at(LADDER, DUE, len(LADDER)) is None


def test_nothing_is_due_two_days_before():
    assert rules.due_steps(LADDER, DUE, 0, DUE - 2 * DAY) == []


def test_only_the_reminder_is_due_one_day_before():
    assert actions(rules.due_steps(LADDER, DUE, 0, DUE - DAY)) == ["remind_assignee"]


def test_superior_and_overdue_fire_together_at_the_deadline():
    assert actions(rules.due_steps(LADDER, DUE, 1, DUE)) == ["notify_superior", "mark_overdue"]


def test_missed_steps_are_all_due_in_order_after_a_gap():
    assert actions(rules.due_steps(LADDER, DUE, 0, DUE + 10 * DAY)) == [
        "remind_assignee",
        "notify_superior",
        "mark_overdue",
        "formal_letter",
        "public_notice",
    ]


def test_after_firing_points_at_the_next_step():
    position = rules.after_firing(LADDER, DUE, [1, 2])
    assert position == rules.Position(3, DUE + 3 * DAY)
    assert rules.after_firing(LADDER, DUE, [6]) == rules.Position(7, None)


def test_an_extension_keeps_fired_steps_and_moves_the_rest():
    new_due = DUE + 10 * DAY
    position = rules.reschedule(LADDER, new_due, 1)
    assert position == rules.Position(1, new_due)
    # At the old deadline nothing is due any more; the moved step waits for its new time.
    assert rules.due_steps(LADDER, new_due, 1, DUE) == []
    assert actions(rules.due_steps(LADDER, new_due, 1, new_due)) == ["notify_superior", "mark_overdue"]


def test_steps_are_ordered_by_offset_then_order():
    steps = [rules.Step(0, "b", 2), rules.Step(-60, "a", 9), rules.Step(0, "c", 1)]
    assert [s.action for s in rules.ordered(steps)] == ["a", "c", "b"]


# -- services -----------------------------------------------------------------------------------------


@pytest.fixture
def due():
    return (timezone.now() + 20 * DAY).replace(microsecond=0)


@pytest.fixture
def deadline(enterprise_a, town_a_official, staff_user, due):
    return esc.attach_deadline(enterprise_a, due_at=due, assignee=town_a_official, actor=staff_user)


def fired_actions(deadline):
    return list(
        EscalationEvent.objects.filter(deadline=deadline).order_by("pk").values_list("action", flat=True)
    )


def test_attaching_puts_the_record_on_the_default_ladder(deadline, enterprise_a, due):
    assert deadline.record == enterprise_a
    assert deadline.next_step_index == 0
    assert deadline.next_step_at == due - DAY
    assert not deadline.is_overdue(now=due - DAY)
    assert deadline.is_overdue(now=due + datetime.timedelta(minutes=1))
    assert AuditLog.objects.filter(
        action="create", object_type="core.deadline", object_id=str(deadline.pk)
    ).exists()


def test_a_deadline_in_the_past_is_refused(enterprise_a, staff_user):
    with pytest.raises(ValidationError) as caught:
        esc.attach_deadline(enterprise_a, due_at=timezone.now() - DAY, assignee=None, actor=staff_user)
    assert "due_at" in caught.value.message_dict


def test_a_record_has_one_open_deadline_at_a_time(deadline, enterprise_a, staff_user, due):
    with pytest.raises(ValidationError):
        esc.attach_deadline(enterprise_a, due_at=due, actor=staff_user)


def test_the_pass_fires_each_step_at_its_time_and_only_once(deadline, due):
    assert esc.run_escalation_pass(now=due - 2 * DAY) == 0
    assert esc.run_escalation_pass(now=due - DAY) == 1
    assert fired_actions(deadline) == ["remind_assignee"]
    assert esc.run_escalation_pass(now=due) == 2
    assert fired_actions(deadline)[1:] == ["notify_superior", "mark_overdue"]
    assert esc.run_escalation_pass(now=due) == 0
    assert esc.run_escalation_pass(now=due + 3 * DAY) == 1
    assert fired_actions(deadline)[-1] == "formal_letter"
    assert esc.run_escalation_pass(now=due + 3 * DAY) == 0
    assert EscalationEvent.objects.count() == 4


def test_a_restart_after_a_gap_fires_each_missed_step_once_in_order(deadline, due):
    assert esc.run_escalation_pass(now=due - 2 * DAY) == 0
    # The worker was down for ten days.
    assert esc.run_escalation_pass(now=due + 8 * DAY) == 5
    assert fired_actions(deadline) == [
        "remind_assignee",
        "notify_superior",
        "mark_overdue",
        "formal_letter",
        "public_notice",
    ]
    assert esc.run_escalation_pass(now=due + 8 * DAY) == 0
    deadline.refresh_from_db()
    assert deadline.next_step_index == 5
    assert deadline.next_step_at == due + 15 * DAY


def test_two_workers_firing_the_same_step_make_one_event(deadline, due):
    assert esc.fire_step(deadline, 0, now=due - DAY) is True
    assert esc.fire_step(deadline, 0, now=due - DAY) is False
    assert fired_actions(deadline) == ["remind_assignee"]
    deadline.refresh_from_db()
    assert deadline.next_step_index == 1


def test_the_pass_skips_a_step_that_another_worker_already_recorded(deadline, due):
    # A competing worker inserted the event for step 0 but our pass still sees the old position.
    step = deadline.ladder.steps.order_by("offset_minutes", "order").first()
    EscalationEvent.objects.create(deadline=deadline, step=step, fired_at=due - DAY, action=step.action)
    assert esc.run_escalation_pass(now=due) == 2
    assert fired_actions(deadline) == ["remind_assignee", "notify_superior", "mark_overdue"]
    assert esc.run_escalation_pass(now=due) == 0


def test_the_pass_works_through_batches(enterprise_a, enterprise_b, county, staff_user, due):
    for obj in (enterprise_a, enterprise_b, county):
        esc.attach_deadline(obj, due_at=due, actor=staff_user)
    assert esc.run_escalation_pass(now=due, batch=1) == 9
    assert esc.run_escalation_pass(now=due, batch=1) == 0


def test_closing_stops_the_ladder(deadline, enterprise_a, staff_user, due):
    esc.run_escalation_pass(now=due - DAY)
    esc.close_deadline(enterprise_a, actor=staff_user)
    assert esc.run_escalation_pass(now=due + 40 * DAY) == 0
    deadline.refresh_from_db()
    assert deadline.state == "closed" and deadline.next_step_at is None
    assert not deadline.is_overdue(now=due + DAY)
    assert fired_actions(deadline) == ["remind_assignee"]


def test_registered_handlers_carry_out_the_action(deadline, due):
    seen = []

    def formal_letter(firing):
        seen.append((firing.deadline_id, firing.action, firing.object_id))
        return "letter queued"

    def broken(firing):
        raise RuntimeError("smtp down")

    esc.register_action("formal_letter", formal_letter)
    esc.register_action("public_notice", broken)
    try:
        assert esc.run_escalation_pass(now=due + 7 * DAY) == 5
    finally:
        esc.unregister_action("formal_letter")
        esc.unregister_action("public_notice")
    assert seen == [(deadline.pk, "formal_letter", deadline.object_id)]
    outcomes = dict(EscalationEvent.objects.filter(deadline=deadline).values_list("action", "outcome"))
    assert outcomes["formal_letter"] == "letter queued"
    assert outcomes["public_notice"] == "error: RuntimeError"
    assert outcomes["remind_assignee"] == "recorded"


def test_the_pass_records_steps_and_their_handlers_run_once_afterwards(deadline, due):
    seen = []
    esc.register_action("formal_letter", lambda firing: seen.append(firing.action) or "letter queued")
    try:
        assert esc.run_escalation_pass(now=due + 7 * DAY, handle=False) == 5
        pending = EscalationEvent.objects.filter(handled_at__isnull=True)
        assert list(pending.values_list("action", flat=True)) == ["formal_letter"]  # record-only: handled
        assert seen == []
        assert esc.process_escalation_events() == 1
        assert esc.process_escalation_events() == 0  # never twice
    finally:
        esc.unregister_action("formal_letter")
    assert seen == ["formal_letter"]
    event = EscalationEvent.objects.get(action="formal_letter")
    assert event.outcome == "letter queued" and event.handled_at is not None


def test_an_approved_extension_moves_the_deadline_and_reschedules(deadline, town_a_official, staff_user, due):
    esc.run_escalation_pass(now=due - DAY)
    new_due = due + 10 * DAY
    request = esc.request_extension(
        deadline, new_due_at=new_due, reason="设备到货延迟", actor=town_a_official
    )
    esc.approve_extension(request, actor=staff_user, note="同意")
    deadline.refresh_from_db()
    request.refresh_from_db()
    assert request.state == ExtensionState.APPROVED and request.decided_by == staff_user
    assert deadline.due_at == new_due
    assert deadline.next_step_index == 1 and deadline.next_step_at == new_due
    assert esc.run_escalation_pass(now=due) == 0  # the old deadline passes quietly
    assert esc.run_escalation_pass(now=new_due) == 2
    assert fired_actions(deadline) == ["remind_assignee", "notify_superior", "mark_overdue"]
    entry = AuditLog.objects.filter(
        action="update", object_type="core.deadline", object_id=str(deadline.pk)
    ).get()
    assert entry.user == staff_user
    assert entry.changes["before"]["due_at"] == due.isoformat()
    assert entry.changes["after"]["due_at"] == new_due.isoformat()


def test_a_rejected_extension_leaves_the_deadline(deadline, town_a_official, staff_user, due):
    request = esc.request_extension(deadline, new_due_at=due + DAY, reason="忙", actor=town_a_official)
    esc.reject_extension(request, actor=staff_user, note="理由不足")
    deadline.refresh_from_db()
    assert deadline.due_at == due
    assert type(request).objects.get(pk=request.pk).state == ExtensionState.REJECTED
    with pytest.raises(ValidationError):
        esc.approve_extension(request, actor=staff_user)


def test_the_requester_cannot_approve_their_own_extension(deadline, town_a_official, due):
    request = esc.request_extension(deadline, new_due_at=due + DAY, reason="忙", actor=town_a_official)
    with pytest.raises(ValidationError):
        esc.approve_extension(request, actor=town_a_official)
    deadline.refresh_from_db()
    assert deadline.due_at == due


def test_no_extension_after_closing(deadline, enterprise_a, town_a_official, staff_user, due):
    request = esc.request_extension(deadline, new_due_at=due + DAY, reason="忙", actor=town_a_official)
    esc.close_deadline(enterprise_a, actor=staff_user)
    with pytest.raises(ValidationError):
        esc.request_extension(deadline, new_due_at=due + 2 * DAY, reason="忙", actor=town_a_official)
    with pytest.raises(ValidationError):
        esc.approve_extension(request, actor=staff_user)


def test_an_extension_must_be_later_than_the_current_deadline(deadline, town_a_official, due):
    with pytest.raises(ValidationError) as caught:
        esc.request_extension(deadline, new_due_at=due - DAY, reason="忙", actor=town_a_official)
    assert "new_due_at" in caught.value.message_dict


def test_a_bureau_ladder_applies_to_its_subtree(county, enterprise_a, staff_user, due):
    ladder = esc.create_ladder(
        name="县局",
        division=county,
        steps=[rules.Step(-60, "remind_assignee", 1), rules.Step(0, "interview", 2)],
    )
    deadline = esc.attach_deadline(enterprise_a, due_at=due, actor=staff_user)
    assert deadline.ladder == ladder
    assert esc.run_escalation_pass(now=due) == 2
    assert fired_actions(deadline) == ["remind_assignee", "interview"]
    assert Deadline.objects.get(pk=deadline.pk).next_step_at is None


def test_two_passes_that_read_the_same_batch_fire_it_once(deadline, due):
    rows = list(Deadline.objects.filter(pk=deadline.pk).values_list(*esc._ROW))
    assert esc._fire_batch(rows, due, esc._Ladders()) == 3
    assert esc._fire_batch(rows, due, esc._Ladders()) == 0  # the slower worker, with its stale read
    assert fired_actions(deadline) == ["remind_assignee", "notify_superior", "mark_overdue"]


def test_a_deadline_closed_after_the_pass_read_it_does_not_fire(deadline, enterprise_a, staff_user, due):
    rows = list(Deadline.objects.filter(pk=deadline.pk).values_list(*esc._ROW))
    esc.close_deadline(enterprise_a, actor=staff_user)
    assert esc._fire_batch(rows, due, esc._Ladders()) == 0
    assert fired_actions(deadline) == []


def test_a_deadline_extended_after_the_pass_read_it_fires_on_the_new_schedule(
    deadline, town_a_official, staff_user, due
):
    rows = list(Deadline.objects.filter(pk=deadline.pk).values_list(*esc._ROW))
    new_due = due + 10 * DAY
    request = esc.request_extension(deadline, new_due_at=new_due, reason="停产检修", actor=town_a_official)
    esc.approve_extension(request, actor=staff_user)
    assert esc._fire_batch(rows, due, esc._Ladders()) == 0
    assert esc.run_escalation_pass(now=due) == 0
    assert esc.run_escalation_pass(now=new_due) == 3


def test_apps_share_an_action_name_with_a_handler_per_model(deadline, county, staff_user, due):
    from yingji.core.models import Division
    from yingji.registry.models import Enterprise

    other = esc.attach_deadline(county, due_at=due, actor=staff_user)
    seen = []
    esc.register_action(
        "formal_letter", lambda f: seen.append(("enterprise", f.deadline_id)) or "e", Enterprise
    )
    esc.register_action(
        "formal_letter", lambda f: seen.append(("division", f.deadline_id)) or "d", "core.Division"
    )
    esc.register_action("public_notice", lambda f: "any record")
    try:
        assert esc.run_escalation_pass(now=due + 7 * DAY) == 10
    finally:
        esc.unregister_action("formal_letter", Enterprise)
        esc.unregister_action("formal_letter", Division)
        esc.unregister_action("public_notice")
    assert sorted(seen) == [("division", other.pk), ("enterprise", deadline.pk)]
    outcomes = dict(EscalationEvent.objects.filter(deadline=deadline).values_list("action", "outcome"))
    assert outcomes["formal_letter"] == "e" and outcomes["public_notice"] == "any record"
    assert EscalationEvent.objects.get(deadline=other, action="formal_letter").outcome == "d"
    # Unregistered: back to recording only.
    assert esc.handler_for("formal_letter", other.content_type_id) is esc.record_only


def test_a_handler_whose_write_fails_does_not_stop_the_batch(deadline, enterprise_b, staff_user, due):
    from yingji.core.escalation.models import EscalationStep

    other = esc.attach_deadline(enterprise_b, due_at=due, actor=staff_user)

    def clashing(firing):
        step = EscalationStep.objects.get(pk=firing.step_id)
        if firing.deadline_id == deadline.pk:  # a database error inside the handler
            EscalationStep.objects.create(ladder_id=step.ladder_id, order=step.order, offset_minutes=0)
        return "done"

    esc.register_action("formal_letter", clashing)
    try:
        assert esc.run_escalation_pass(now=due + 3 * DAY, batch=10) == 8
    finally:
        esc.unregister_action("formal_letter")
    assert EscalationEvent.objects.get(deadline=deadline, action="formal_letter").outcome == (
        "error: IntegrityError"
    )
    assert EscalationEvent.objects.get(deadline=other, action="formal_letter").outcome == "done"
    assert esc.run_escalation_pass(now=due + 3 * DAY) == 0
