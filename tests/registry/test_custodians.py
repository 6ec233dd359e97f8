"""Custodians (包保责任制): defaults, generation, completion with evidence, missed flagging, escalation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from tests.conftest import VILLAGE_B, _user, image_file

from yingji.core.escalation import services as escalation
from yingji.core.escalation.models import Deadline
from yingji.messaging.models import Message
from yingji.registry import rules_custodians as rules
from yingji.registry import services_custodians as services
from yingji.registry.models_sources import Custodian, DutySchedule, DutyTask, MajorHazardSource

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def make_source(enterprise, name="液氯储罐区", grade=2):
    return MajorHazardSource.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, name=name, is_major=True, grade=grade
    )


def entries(user=None, **overrides):
    rows = [
        {"role": "main", "name": "张三", "title": "总经理", "phone": "13812341234", "user": None},
        {"role": "technical", "name": "李工", "title": "技术总监", "phone": "13812341235", "user": None},
        {"role": "operational", "name": "王班长", "title": "车间主任", "phone": "13812341236", "user": user},
    ]
    for row in rows:
        row.update(overrides.get(row["role"], {}))
    return rows


@pytest.fixture
def source(enterprise_a):
    return make_source(enterprise_a)


@pytest.fixture
def staffed(source, staff_user, enterprise_a_user):
    services.set_custodians(source, actor=staff_user, entries=entries(user=enterprise_a_user), now=NOW)
    return source


# -- rules ------------------------------------------------------------------------------------------


def test_defaults_follow_the_measures():
    assert rules.default_for("main").cadence_days == 90
    assert rules.default_for("technical").cadence_days == 30
    assert rules.default_for("operational").cadence_days == 7
    assert all(rules.default_for(r).checklist for r in rules.ROLES)
    with pytest.raises(ValueError):
        rules.default_for("boss")


def test_grace_and_missed():
    due = NOW
    assert rules.grace(7) == datetime.timedelta(days=1)
    assert rules.grace(30) == datetime.timedelta(days=4)
    assert rules.grace(90) == datetime.timedelta(days=12)
    assert not rules.is_missed("pending", due, 7, due + datetime.timedelta(hours=23))
    assert rules.is_missed("pending", due, 7, due + datetime.timedelta(days=1))
    assert not rules.is_missed("done", due, 7, due + datetime.timedelta(days=9))
    assert rules.state("pending", due, due + datetime.timedelta(minutes=1)) == "overdue"
    assert rules.state("pending", due, due - datetime.timedelta(minutes=1)) == "due"


def test_due_dates_catch_up_is_bounded():
    dates, nxt = rules.due_dates(NOW, 7, NOW + datetime.timedelta(days=365))
    assert len(dates) == rules.MAX_CATCH_UP
    assert nxt - dates[-1] == datetime.timedelta(days=7)


# -- custodians -------------------------------------------------------------------------------------


def test_set_custodians_creates_default_schedules(staffed, enterprise_a_user):
    assert set(staffed.custodians.values_list("role", flat=True)) == {"main", "technical", "operational"}
    schedules = {s.role: s for s in DutySchedule.objects.filter(source=staffed)}
    assert {r: s.cadence_days for r, s in schedules.items()} == {
        "main": 90,
        "technical": 30,
        "operational": 7,
    }
    assert schedules["operational"].checklist == list(rules.default_for("operational").checklist)
    # the first period opened at once: one task per role, with a deadline on the ladder
    tasks = DutyTask.objects.filter(source=staffed)
    assert tasks.count() == 3
    operational = tasks.get(role="operational")
    assert operational.custodian.user == enterprise_a_user
    deadline = Deadline.objects.for_object(operational).open().get()
    assert deadline.assignee == enterprise_a_user


def test_two_main_custodians_refused(source, staff_user):
    rows = entries()
    rows[1]["role"] = "main"
    with pytest.raises(ValidationError) as error:
        services.set_custodians(source, actor=staff_user, entries=rows, now=NOW)
    assert "role" in error.value.message_dict
    assert not Custodian.objects.exists() and not DutySchedule.objects.exists()


def test_missing_role_and_blank_name_refused(source, staff_user):
    with pytest.raises(ValidationError) as error:
        services.set_custodians(source, actor=staff_user, entries=entries()[:2], now=NOW)
    assert "operational-name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.set_custodians(source, actor=staff_user, entries=entries(main={"name": " "}), now=NOW)
    assert "main-name" in error.value.message_dict
    assert not Custodian.objects.exists()


def test_user_of_another_enterprise_refused(source, staff_user, enterprise_b_user):
    with pytest.raises(ValidationError) as error:
        services.set_custodians(source, actor=staff_user, entries=entries(user=enterprise_b_user), now=NOW)
    assert "operational-user" in error.value.message_dict
    assert not Custodian.objects.exists()


def test_bad_phone_refused_nothing_written(source, staff_user):
    with pytest.raises(ValidationError) as error:
        services.set_custodians(source, actor=staff_user, entries=entries(technical={"phone": "12"}), now=NOW)
    assert "technical-phone" in error.value.message_dict
    assert not Custodian.objects.exists()


def test_town_b_cannot_set_custodians(source, town_b_official):
    with pytest.raises(PermissionDenied):
        services.set_custodians(source, actor=town_b_official, entries=entries(), now=NOW)


def test_replacing_custodians_moves_pending_tasks(staffed, staff_user):
    services.set_custodians(staffed, actor=staff_user, entries=entries(main={"name": "赵六"}), now=NOW)
    main = Custodian.objects.get(source=staffed, role="main")
    assert main.name == "赵六"
    assert DutyTask.objects.get(source=staffed, role="main").custodian == main
    assert Custodian.objects.filter(source=staffed).count() == 3


# -- schedules --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cadence", [0, -1, 400, "7"])
def test_bad_cadence_refused(staffed, staff_user, cadence):
    with pytest.raises(ValidationError) as error:
        services.save_schedule(staffed, actor=staff_user, role="technical", cadence_days=cadence, now=NOW)
    assert "cadence_days" in error.value.message_dict


def test_empty_checklist_refused(staffed, staff_user):
    with pytest.raises(ValidationError) as error:
        services.save_schedule(staffed, actor=staff_user, role="technical", checklist=["  "], now=NOW)
    assert "checklist" in error.value.message_dict


def test_stopping_a_schedule_withdraws_its_pending_task(staffed, staff_user):
    schedule = DutySchedule.objects.get(source=staffed, role="technical")
    services.save_schedule(
        staffed,
        actor=staff_user,
        role="technical",
        schedule=schedule,
        is_active=False,
        checklist=schedule.checklist,
        cadence_days=30,
        now=NOW,
    )
    assert not DutyTask.objects.filter(schedule=schedule).exists()


# -- generation -------------------------------------------------------------------------------------


def test_generation_is_idempotent_over_time(staffed):
    weekly = DutySchedule.objects.get(source=staffed, role="operational")
    assert DutyTask.objects.filter(schedule=weekly).count() == 1
    assert services.generate_tasks(NOW) == 0
    assert services.generate_tasks(NOW + datetime.timedelta(hours=1)) == 0
    later = NOW + datetime.timedelta(days=8)
    created = services.generate_tasks(later)
    assert created == 1  # the second week of the operational duty opened; the monthly one not yet
    assert services.generate_tasks(later) == 0
    assert DutyTask.objects.filter(schedule=weekly).count() == 2
    dues = sorted(DutyTask.objects.filter(schedule=weekly).values_list("due_at", flat=True))
    assert dues[1] - dues[0] == datetime.timedelta(days=7)
    # a month on: weekly tasks up to the open period, monthly one more, quarterly still one
    services.generate_tasks(NOW + datetime.timedelta(days=31))
    counts = {r: DutyTask.objects.filter(source=staffed, role=r).count() for r in rules.ROLES}
    assert counts == {"main": 1, "technical": 2, "operational": 5}


def test_no_tasks_for_a_source_no_longer_major(staffed):
    MajorHazardSource.objects.filter(pk=staffed.pk).update(is_major=False)
    assert services.generate_tasks(NOW + datetime.timedelta(days=60)) == 0


# -- completion -------------------------------------------------------------------------------------


def _task(source, role="operational"):
    return DutyTask.objects.get(source=source, role=role, status="pending")


def _all_ok(task):
    return dict.fromkeys(range(len(task.schedule.checklist)), ("ok", ""))


def test_complete_with_note(staffed, enterprise_a_user):
    task = _task(staffed)
    done = services.complete_task(
        task, actor=enterprise_a_user, results=_all_ok(task), note="已巡检", now=NOW
    )
    assert done.status == "done" and done.done_by == enterprise_a_user
    assert len(done.results) == len(task.schedule.checklist)
    assert not Deadline.objects.for_object(task).open().exists()


def test_complete_with_photo_only(staffed, enterprise_a_user):
    task = _task(staffed)
    results = [{"answer": "ok"} for _ in task.schedule.checklist]
    done = services.complete_task(
        task, actor=enterprise_a_user, results=results, photos=[image_file()], now=NOW
    )
    assert done.photos.count() == 1


def test_completion_refused_without_every_item(staffed, enterprise_a_user):
    task = _task(staffed)
    results = _all_ok(task)
    results.pop(2)
    results[0] = ("maybe", "")
    with pytest.raises(ValidationError) as error:
        services.complete_task(task, actor=enterprise_a_user, results=results, note="x", now=NOW)
    assert {"item_0", "item_2"} <= set(error.value.message_dict)
    task.refresh_from_db()
    assert task.status == "pending"


def test_completion_refused_without_evidence(staffed, enterprise_a_user):
    task = _task(staffed)
    with pytest.raises(ValidationError) as error:
        services.complete_task(task, actor=enterprise_a_user, results=_all_ok(task), note="  ", now=NOW)
    assert "evidence_note" in error.value.message_dict
    task.refresh_from_db()
    assert task.status == "pending"


def test_completion_refused_with_a_bad_photo(staffed, enterprise_a_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = _task(staffed)
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.complete_task(task, actor=enterprise_a_user, results=_all_ok(task), photos=[bad], now=NOW)
    assert "photos" in error.value.message_dict
    assert not task.photos.exists()


def test_completion_refused_for_another_enterprise(staffed, enterprise_b_user, staff_user):
    task = _task(staffed)
    with pytest.raises(PermissionDenied):
        services.complete_task(task, actor=enterprise_b_user, results=_all_ok(task), note="x", now=NOW)
    with pytest.raises(PermissionDenied):  # the bureau sees the duty but does not do it
        services.complete_task(task, actor=staff_user, results=_all_ok(task), note="x", now=NOW)


def test_completion_refused_twice(staffed, enterprise_a_user):
    task = _task(staffed)
    services.complete_task(task, actor=enterprise_a_user, results=_all_ok(task), note="x", now=NOW)
    with pytest.raises(ValidationError) as error:
        services.complete_task(task, actor=enterprise_a_user, results=_all_ok(task), note="x", now=NOW)
    assert "status" in error.value.message_dict


# -- missed -----------------------------------------------------------------------------------------


def test_missed_flagging_with_frozen_time(staffed, enterprise_a_user):
    task = _task(staffed)
    assert services.mark_missed(task.due_at) == []
    assert services.mark_missed(task.due_at + datetime.timedelta(hours=23)) == []
    missed = services.mark_missed(task.due_at + datetime.timedelta(days=1))
    assert missed == [task.pk]
    task.refresh_from_db()
    assert task.status == "missed"
    assert services.mark_missed(task.due_at + datetime.timedelta(days=2)) == []
    # the custodian's account and the enterprise hear about it
    assert Message.objects.filter(template="duty_missed", recipient=enterprise_a_user).exists()
    # the monthly task is not missed yet
    assert DutyTask.objects.get(source=staffed, role="technical").status == "pending"
    with pytest.raises(ValidationError):
        services.complete_task(task, actor=enterprise_a_user, results=_all_ok(task), note="x", now=NOW)


def test_run_schedule_hourly_job(staffed):
    created, missed = services.run_schedule(NOW + datetime.timedelta(days=9))
    assert missed == 1 and created >= 1


# -- escalation -------------------------------------------------------------------------------------


def test_escalation_steps_reach_custodian_enterprise_then_bureau(
    staffed, enterprise_a_user, staff_user, county
):
    other_ent_user = _user("ent_a2", "enterprise_user", staffed.enterprise.division_id, staffed.enterprise)
    town_b_staff = _user("bureau_b", "bureau_staff", VILLAGE_B)
    task = _task(staffed, "operational")
    due = task.due_at

    escalation.run_escalation_pass(now=due - datetime.timedelta(hours=12))
    reminders = Message.objects.filter(template="duty_escalation", context__step="remind_assignee")
    assert list(reminders.values_list("recipient", flat=True)) == [enterprise_a_user.pk]

    escalation.run_escalation_pass(now=due + datetime.timedelta(minutes=1))
    superior = set(
        Message.objects.filter(template="duty_escalation", context__step="notify_superior").values_list(
            "recipient", flat=True
        )
    )
    assert superior == {enterprise_a_user.pk, other_ent_user.pk}
    assert not Message.objects.filter(recipient=staff_user).exists()

    escalation.run_escalation_pass(now=due + datetime.timedelta(days=3, minutes=1))
    bureau = set(
        Message.objects.filter(template="duty_escalation", context__step="formal_letter").values_list(
            "recipient", flat=True
        )
    )
    assert staff_user.pk in bureau and town_b_staff.pk not in bureau
    assert other_ent_user.pk not in bureau


def test_escalation_skips_a_done_task(staffed, enterprise_a_user):
    task = _task(staffed)
    services.complete_task(task, actor=enterprise_a_user, results=_all_ok(task), note="x", now=NOW)
    escalation.run_escalation_pass(now=task.due_at + datetime.timedelta(days=40))
    assert not Message.objects.filter(template="duty_escalation", context__task_id=task.pk).exists()


def test_summary(staffed):
    summary = services.duty_summary(staffed, now=NOW)
    assert summary["main"]["custodian"].name == "张三"
    assert summary["operational"]["state"] == "due"
    assert timezone.is_aware(summary["operational"]["task"].due_at)


def test_demo_seed(enterprise_a, enterprise_a_user):
    from yingji.demo.custodians import seed_custodians

    make_source(enterprise_a, "甲醇罐区")
    make_source(enterprise_a, "乙炔站")
    now = NOW + datetime.timedelta(days=100)
    assert seed_custodians(now=now) == 2
    tasks = DutyTask.objects.all()
    states = set(tasks.values_list("status", flat=True))
    assert {"done", "pending"} <= states
    assert (
        tasks.filter(status="done").exclude(evidence_note="").count() == tasks.filter(status="done").count()
    )
    assert tasks.filter(status="pending", due_at__lt=now - datetime.timedelta(days=13)).count() == 0
    assert seed_custodians(now=now) == 0  # idempotent
