"""Self-check schedules through their services: plans, the scheduler, missed tasks, doing a check,
raising a failed item as a hidden danger, the rate, and scoping."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.hazards import services_selfcheck as services
from yingji.hazards.models import CheckPlan, CheckPlanItem, CheckResult, CheckTask, Hazard, HazardEvent
from yingji.hazards.rules import TransitionError

ITEMS = [("消防通道畅通，无堆物", "GB 50016"), ("灭火器压力正常", ""), ("配电箱门关闭、无裸露线头", "")]


def today():
    return timezone.localdate()


def plan_for(actor, *, frequency="daily", kind="team_daily", starts_on=None, enterprise=None, **extra):
    return services.create_plan(
        actor=actor,
        enterprise=enterprise,
        name="车间班组日查",
        kind=kind,
        frequency=frequency,
        starts_on=starts_on or today(),
        items=ITEMS,
        **extra,
    )


@pytest.fixture
def plan(enterprise_a_user):
    return plan_for(enterprise_a_user)


@pytest.fixture
def task(plan):
    return CheckTask.objects.get(plan=plan)


def answers(task, failed=()):
    return {
        item.pk: ("fail" if i in failed else "pass", "发现问题" if i in failed else "")
        for i, item in enumerate(services.current_items(task.plan))
    }


def test_creating_a_plan_creates_its_items_and_the_current_task(plan, enterprise_a):
    assert plan.enterprise == enterprise_a
    assert list(services.current_items(plan).values_list("text", "basis")) == ITEMS
    task = plan.tasks.get()
    assert (task.period_start, task.due_on, task.status) == (today(), today(), "pending")


def test_scheduling_is_idempotent_and_creates_only_the_current_period(
    enterprise_a_user, staff_user, enterprise_b
):
    day = datetime.date(2026, 3, 11)  # a Wednesday
    old = datetime.date(2026, 1, 5)
    weekly = plan_for(enterprise_a_user, frequency="weekly", kind="dept_weekly", starts_on=old, today=day)
    monthly = plan_for(staff_user, enterprise=enterprise_b, frequency="monthly", starts_on=old, today=day)
    future = plan_for(enterprise_a_user, starts_on=day + datetime.timedelta(days=3), today=day)
    once = plan_for(
        enterprise_a_user,
        frequency="once",
        kind="holiday",
        starts_on=day,
        ends_on=day + datetime.timedelta(days=4),
        today=day,
    )
    before = set(CheckTask.objects.values_list("plan_id", "period_start", "due_on"))
    assert services.schedule_tasks(day) == 0
    assert services.schedule_tasks(day) == 0
    assert (
        set(CheckTask.objects.values_list("plan_id", "period_start", "due_on"))
        == before
        == {
            (weekly.pk, datetime.date(2026, 3, 9), datetime.date(2026, 3, 15)),
            (monthly.pk, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
            (once.pk, day, datetime.date(2026, 3, 15)),
        }
    )
    assert not CheckTask.objects.filter(plan=future).exists()  # not started: no task, no back-filling
    # the next day: one new daily period for `future`? not yet; next week: the weekly plan's next week
    assert services.schedule_tasks(datetime.date(2026, 3, 16)) == 2  # weekly next week + future's first day
    assert services.schedule_tasks(datetime.date(2026, 3, 16)) == 0
    assert CheckTask.objects.filter(plan=once).count() == 1


def test_scheduling_many_plans_takes_few_queries(enterprise_a, django_assert_max_num_queries):
    day = datetime.date(2026, 3, 11)
    CheckPlan.objects.bulk_create(
        CheckPlan(enterprise=enterprise_a, name=f"p{i}", kind="team_daily", frequency="daily", starts_on=day)
        for i in range(1500)
    )
    with django_assert_max_num_queries(25):  # SQLite inserts ~200 rows per statement
        assert services.schedule_tasks(day) == 1500
    assert services.schedule_tasks(day) == 0


def test_inactive_and_ended_plans_get_no_task(enterprise_a_user, plan):
    day = today() + datetime.timedelta(days=1)
    ended = plan_for(enterprise_a_user, ends_on=today())
    services.deactivate_plan(plan, actor=enterprise_a_user)
    assert not plan.tasks.exists()  # the pending task was withdrawn
    services.schedule_tasks(day)
    assert not CheckTask.objects.filter(period_start=day).exists()
    assert ended.tasks.count() == 1
    with pytest.raises(TransitionError) as refused:
        services.deactivate_plan(CheckPlan.objects.get(pk=plan.pk), actor=enterprise_a_user)
    assert refused.value.code == "inactive"


def test_pending_tasks_past_due_become_missed_in_one_update(task, django_assert_num_queries):
    assert services.mark_missed(today()) == 0
    with django_assert_num_queries(1):
        assert services.mark_missed(today() + datetime.timedelta(days=1)) == 1
    task.refresh_from_db()
    assert task.status == "missed"
    assert services.mark_missed(today() + datetime.timedelta(days=2)) == 0


def test_completing_a_task_records_every_item(task, enterprise_a_user):
    done = services.complete_task(
        task, actor=enterprise_a_user, results=answers(task, failed=[1]), note="正常"
    )
    assert (done.status, done.done_by, done.note) == ("done", enterprise_a_user, "正常")
    assert sorted(CheckResult.objects.filter(task=task).values_list("result", flat=True)) == [
        "fail",
        "pass",
        "pass",
    ]
    with pytest.raises(TransitionError) as refused:
        services.complete_task(task, actor=enterprise_a_user, results=answers(task))
    assert refused.value.code == "already_done"
    assert CheckResult.objects.filter(task=task).count() == 3


@pytest.mark.parametrize("breakage", ["missing", "unknown", "other_plan", "bad_result"])
def test_bad_results_are_refused_and_change_nothing(task, enterprise_a_user, breakage):
    results = answers(task)
    first = next(iter(results))
    if breakage == "missing":
        del results[first]
    elif breakage == "unknown":
        results[999999] = ("pass", "")
    elif breakage == "other_plan":
        other = plan_for(enterprise_a_user, kind="team_daily")
        results[services.current_items(other).first().pk] = ("pass", "")
    else:
        results[first] = ("maybe", "")
    with pytest.raises(ValidationError) as refused:
        services.complete_task(task, actor=enterprise_a_user, results=results)
    assert refused.value.message_dict
    task.refresh_from_db()
    assert task.status == "pending" and not CheckResult.objects.filter(task=task).exists()


def test_a_missed_task_cannot_be_completed(task, enterprise_a_user):
    services.mark_missed(today() + datetime.timedelta(days=1))
    with pytest.raises(TransitionError) as refused:
        services.complete_task(
            CheckTask.objects.get(pk=task.pk), actor=enterprise_a_user, results=answers(task)
        )
    assert refused.value.code == "missed"


def test_another_enterprise_cannot_do_the_task(task, enterprise_b_user):
    with pytest.raises(PermissionDenied):
        services.complete_task(task, actor=enterprise_b_user, results=answers(task))
    assert CheckTask.objects.get(pk=task.pk).status == "pending"


def test_a_failed_item_becomes_a_hidden_danger_with_one_click(task, enterprise_a_user, enterprise_a):
    services.complete_task(task, actor=enterprise_a_user, results=answers(task, failed=[0]))
    failed = CheckResult.objects.get(task=task, result="fail")
    hazard = services.raise_hazard_from_result(failed, actor=enterprise_a_user)
    failed.refresh_from_db()
    assert failed.hazard == hazard
    assert (hazard.source, hazard.enterprise, hazard.status, hazard.grade) == (
        "self_check",
        enterprise_a,
        "reported",
        "general",
    )
    assert hazard.title == ITEMS[0][0] and "发现问题" in hazard.description
    assert HazardEvent.objects.filter(hazard=hazard, action="report").exists()
    with pytest.raises(TransitionError) as refused:
        services.raise_hazard_from_result(failed, actor=enterprise_a_user)
    assert refused.value.code == "already_raised"
    assert Hazard.objects.count() == 1


def test_a_passed_item_cannot_be_raised_and_a_major_one_needs_criteria(task, enterprise_a_user):
    services.complete_task(task, actor=enterprise_a_user, results=answers(task, failed=[0]))
    passed = CheckResult.objects.filter(task=task, result="pass").first()
    with pytest.raises(TransitionError) as refused:
        services.raise_hazard_from_result(passed, actor=enterprise_a_user)
    assert refused.value.code == "not_failed"
    failed = CheckResult.objects.get(task=task, result="fail")
    with pytest.raises(ValidationError):
        services.raise_hazard_from_result(failed, actor=enterprise_a_user, grade="major")
    assert not Hazard.objects.exists() and CheckResult.objects.get(pk=failed.pk).hazard is None


def test_another_enterprise_cannot_raise_from_a_result(task, enterprise_a_user, enterprise_b_user):
    services.complete_task(task, actor=enterprise_a_user, results=answers(task, failed=[0]))
    failed = CheckResult.objects.get(task=task, result="fail")
    with pytest.raises(PermissionDenied):
        services.raise_hazard_from_result(failed, actor=enterprise_b_user)
    assert not Hazard.objects.exists()


def test_the_rate_is_done_over_done_missed_and_overdue(enterprise_a, enterprise_a_user, enterprise_b):
    day = datetime.date(2026, 3, 1)
    plan = CheckPlan.objects.create(
        enterprise=enterprise_a, name="日查", kind="team_daily", frequency="daily", starts_on=day
    )
    statuses = ["done", "done", "done", "missed", "pending", "pending"]  # the last pending is not yet due
    for i, status in enumerate(statuses):
        CheckTask.objects.create(
            plan=plan,
            enterprise=enterprise_a,
            period_start=day + datetime.timedelta(days=i),
            due_on=day + datetime.timedelta(days=i),
            status=status,
        )
    on = day + datetime.timedelta(days=5)
    rate = services.self_check_rate(enterprise_a, day, on, today=on)
    assert (rate.done, rate.missed, rate.overdue, rate.rate) == (3, 1, 1, 0.6)
    assert services.self_check_rate(CheckTask.objects.all(), day, day, today=on).rate == 1.0
    assert services.self_check_rate(enterprise_b, day, on, today=on).rate is None
    assert (
        services.rates_by_enterprise(CheckTask.objects.all(), day, on, today=on)[enterprise_a.pk].percent
        == 60
    )
    with pytest.raises(ValidationError):
        services.self_check_rate(enterprise_a, on, day)


def test_plan_rules_bad_input(enterprise_a_user, staff_user, enterprise_b, enterprise_b_user):
    def refused(**changes):
        fields = {
            "name": "x",
            "kind": "team_daily",
            "frequency": "daily",
            "starts_on": today(),
            "items": ITEMS,
        }
        fields.update(changes)
        with pytest.raises(ValidationError) as error:
            services.create_plan(actor=enterprise_a_user, **fields)
        return set(error.value.message_dict)

    assert refused(items=[]) == {"items"}
    assert refused(kind="yearly") == {"kind"}
    assert refused(frequency="hourly") == {"frequency"}
    assert refused(ends_on=today() - datetime.timedelta(days=1)) == {"ends_on"}
    assert refused(name="") == {"name"}
    assert refused(enterprise=enterprise_b) == {"enterprise"}
    assert refused(assignee=enterprise_b_user) == {"assignee"}
    assert not CheckPlan.objects.exists()


def test_bureau_staff_can_plan_for_an_enterprise_in_scope(staff_user, enterprise_b, town_a_official):
    plan = plan_for(staff_user, enterprise=enterprise_b)
    assert plan.enterprise == enterprise_b
    with pytest.raises(ValidationError):
        plan_for(staff_user)  # no enterprise chosen


def test_editing_items_keeps_results_of_removed_items(task, enterprise_a_user):
    services.complete_task(task, actor=enterprise_a_user, results=answers(task))
    plan = task.plan
    kept = services.current_items(plan).get(text=ITEMS[1][0])
    services.update_plan(plan, actor=enterprise_a_user, items=[ITEMS[1], ("安全出口标志完好", "")])
    current = list(services.current_items(plan))
    assert [i.text for i in current] == [ITEMS[1][0], "安全出口标志完好"]
    assert current[0].pk == kept.pk
    assert CheckPlanItem.objects.filter(plan=plan, order=0).count() == 2  # retired, results kept
    assert CheckResult.objects.filter(task=task).count() == 3


def test_the_periodic_task_marks_missed_then_schedules(enterprise_a):
    from yingji.hazards import tasks

    yesterday = today() - datetime.timedelta(days=1)
    plan = CheckPlan.objects.create(
        enterprise=enterprise_a, name="日查", kind="team_daily", frequency="daily", starts_on=yesterday
    )
    old = CheckTask.objects.create(
        plan=plan, enterprise=enterprise_a, period_start=yesterday, due_on=yesterday
    )
    tasks.run_self_check_schedule.call_local()
    old.refresh_from_db()
    assert old.status == "missed"
    assert CheckTask.objects.get(plan=plan, period_start=today()).status == "pending"
