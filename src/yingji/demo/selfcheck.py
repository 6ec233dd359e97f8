"""Demo self-check schedules (日周月排查): a few plans per demo enterprise and the last weeks of tasks.

Every enterprise with an enterprise-user account, plus a fixed sample of others, gets a 班组日查, a
部门周查 and a 厂长经理月查 (and the ones with accounts a finished 节前 check). Past tasks are mostly
done, some missed; a few failed items were raised as hidden danger through the hazard services.
Idempotent: an enterprise that already has the demo plans is left alone.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from yingji.accounts.models import User
from yingji.core import audit
from yingji.hazards import rules_selfcheck
from yingji.hazards import services as hazard_services
from yingji.hazards.models import CheckPlan, CheckPlanItem, CheckResult, CheckTask, Source, TaskStatus
from yingji.registry.models import Enterprise

HISTORY_DAYS = 42
SAMPLE_ENTERPRISES = 40
MAX_HAZARDS = 30

# (text, basis, what a failed check typically found)
DAILY = [
    ("作业现场消防通道、安全出口畅通，无堆放物品", "GB 50016", "安全出口前堆放纸箱"),
    ("灭火器、消火栓完好有效，压力正常", "GB 50444", "2 具灭火器压力不足"),
    ("设备安全防护罩、急停装置齐全有效", "", "冲床防护罩缺失"),
    ("作业人员正确佩戴劳动防护用品", "GB 39800.1", "1 名员工未戴安全帽"),
    ("配电箱门关闭，无私拉乱接电线", "", "配电箱门未关，线头裸露"),
    ("交接班记录填写完整", "", "夜班交接班记录缺项"),
]
DUST = ("除尘系统运行正常，积尘及时清理", "工贸企业粉尘防爆安全规定", "除尘管道积尘较厚")
HAZCHEM_DAILY = ("危险化学品储罐区无跑冒滴漏，可燃气体报警器正常", "GB/T 50493", "储罐区法兰处轻微渗漏")
WEEKLY = [
    ("特种作业人员持证上岗", "安全生产法第三十条", "叉车司机证件过期"),
    ("应急照明、疏散指示标志完好", "GB 51309", "二楼疏散指示灯不亮"),
    ("安全警示标志设置规范、清晰", "GB 2894", "有限空间入口警示牌缺失"),
    ("有限空间作业审批及现场监护落实", "工贸企业有限空间作业安全规定", "污水池清理未办审批"),
    ("上周隐患整改完成情况复核", "", "1 项隐患逾期未整改"),
]
MONTHLY = [
    ("全员安全生产责任制落实情况", "安全生产法第二十二条", "车间主任责任书未签订"),
    ("安全教育培训按计划开展、记录完整", "安全生产法第二十八条", "新员工三级教育记录不全"),
    ("应急预案演练按计划开展", "生产安全事故应急条例", "本季度演练未开展"),
    ("安全生产费用提取和使用台账", "", "台账未及时登记"),
    ("隐患排查治理台账复核", "", "台账与现场不符"),
]
HOLIDAY = [
    ("节日期间值班安排和领导带班落实", "", "值班表未公布"),
    ("节前停产设备、危险物品安全处置", "", "停用设备未断电"),
    ("节后复工复产安全条件确认", "", "复工方案未审批"),
]
PLANS = [
    ("班组日查", "team_daily", "daily", DAILY, 0.9),
    ("部门周查", "dept_weekly", "weekly", WEEKLY, 0.92),
    ("厂长经理月查", "manager_monthly", "monthly", MONTHLY, 0.95),
]
FAIL_RATE = 0.03


def _enterprises(rng: random.Random) -> tuple[list[Enterprise], dict[int, User]]:
    users: dict[int, User] = {}
    for user in User.objects.filter(role="enterprise_user", enterprise__isnull=False).order_by("pk"):
        users.setdefault(user.enterprise_id, user)
    with_accounts = list(Enterprise.objects.filter(pk__in=users).order_by("pk"))
    others = list(
        Enterprise.objects.exclude(pk__in=users)
        .filter(status="operating")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sample = sorted(rng.sample(others, min(SAMPLE_ENTERPRISES, len(others))))
    return with_accounts + list(Enterprise.objects.filter(pk__in=sample).order_by("pk")), users


def _items_for(enterprise: Enterprise, base: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    items = list(base)
    if base is DAILY:
        if enterprise.dust_explosion:
            items.append(DUST)
        if enterprise.hazchem_production or enterprise.major_hazard_source:
            items.append(HAZCHEM_DAILY)
    return items


def _done_at(rng: random.Random, period: rules_selfcheck.Period, frequency: str) -> datetime.datetime:
    day = (
        period.start
        if frequency == "daily"
        else period.start + datetime.timedelta(days=rng.randint(0, (period.due - period.start).days))
    )
    moment = datetime.datetime.combine(day, datetime.time(8, 0)) + datetime.timedelta(
        minutes=rng.randint(0, 540)
    )
    return timezone.make_aware(moment)


def seed_self_checks(rng: random.Random, today: datetime.date | None = None) -> int:
    """Create the demo plans, their tasks and results; return how many plans were created."""
    today = today or timezone.localdate()
    starts_on = today - datetime.timedelta(days=HISTORY_DAYS)
    enterprises, users = _enterprises(rng)
    demo_names = [name for name, *_rest in PLANS]
    seeded = set(
        CheckPlan.objects.filter(enterprise__in=enterprises, name__in=demo_names).values_list(
            "enterprise_id", flat=True
        )
    )
    created = 0
    raise_queue: list[tuple[CheckResult, User | None, datetime.datetime]] = []
    with transaction.atomic():
        for enterprise in enterprises:
            if enterprise.pk in seeded:
                continue
            user = users.get(enterprise.pk)
            specs = [
                (name, kind, freq, _items_for(enterprise, base), done_rate, starts_on, None)
                for name, kind, freq, base, done_rate in PLANS
            ]
            if user is not None:
                holiday = today - datetime.timedelta(days=20)
                specs.append(
                    (
                        "节前安全检查",
                        "holiday",
                        "once",
                        HOLIDAY,
                        1.0,
                        holiday,
                        holiday + datetime.timedelta(days=3),
                    )
                )
            for name, kind, frequency, items, done_rate, plan_start, plan_end in specs:
                [plan] = CheckPlan.objects.bulk_create(  # bulk: no audit row per plan, one for the seed
                    [
                        CheckPlan(
                            enterprise=enterprise,
                            name=name,
                            kind=kind,
                            frequency=frequency,
                            starts_on=plan_start,
                            ends_on=plan_end,
                            assignee=user,
                        )
                    ]
                )
                plan_items = CheckPlanItem.objects.bulk_create(
                    CheckPlanItem(plan=plan, order=i, text=text, basis=basis)
                    for i, (text, basis, _found) in enumerate(items, start=1)
                )
                found = {item.pk: spec[2] for item, spec in zip(plan_items, items, strict=True)}
                created += 1
                end = min(today, plan_end) if plan_end else today
                for period in rules_selfcheck.periods_between(
                    frequency, plan_start, plan_end, plan_start, end
                ):
                    task = CheckTask(
                        plan=plan, enterprise=enterprise, period_start=period.start, due_on=period.due
                    )
                    if period.due >= today:
                        task.status = TaskStatus.PENDING
                        task.save()
                        continue
                    if rng.random() > done_rate:
                        task.status = TaskStatus.MISSED
                        task.save()
                        continue
                    task.status, task.done_by = TaskStatus.DONE, user
                    task.done_at = _done_at(rng, period, frequency)
                    task.save()
                    results = CheckResult.objects.bulk_create(
                        CheckResult(
                            task=task,
                            item=item,
                            result="fail" if failed else rng.choice(["pass"] * 12 + ["na"]),
                            note=found[item.pk] if failed else "",
                        )
                        for item in plan_items
                        for failed in [rng.random() < FAIL_RATE]
                    )
                    raise_queue += [(r, user, task.done_at) for r in results if r.result == "fail"]
        # A few failed items went on as hidden dangers (the newest first, those with accounts first).
        raise_queue.sort(key=lambda entry: (entry[1] is None, -entry[2].timestamp()))
        for result, user, done_at in raise_queue[:MAX_HAZARDS]:
            if rng.random() < 0.3 and user is None:
                continue
            hazard = hazard_services.report_hazard(
                actor=user,
                title=result.item.text[:200],
                source=Source.SELF_CHECK,
                enterprise=result.task.enterprise,
                description=result.note,
                now=done_at + datetime.timedelta(minutes=5),
                note="demo",
            )
            result.hazard = hazard
            result.save(update_fields=["hazard"])
        if created:
            audit.record(
                "import", object_type="hazards.checkplan", note=f"demo seed: {created} self-check plans"
            )
    return created
