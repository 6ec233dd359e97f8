"""Demo emergency plans for the demo county (安澜县 329901): the county's general plan and its
hazardous-chemicals special plan with four response levels, tasks, contacts and a response flow, a
general plan per town (one with its review overdue), on-site procedures of the first hazchem
enterprises, and a few drills (one enterprise drill with problems found).

`seed_plans(rng, now)` goes through the services; idempotent: does nothing when the county has plans.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from yingji.core.models import Division
from yingji.demo.generator import person_name
from yingji.plans import services
from yingji.plans.models import EmergencyPlan
from yingji.registry.models import Enterprise

COUNTY = "329901000000"

LEVELS = [
    (
        "I",
        "Ⅰ级响应",
        {"min_deaths": 10, "min_serious_injuries": 50, "min_direct_loss_yuan": Decimal("100000000")},
        ["especially_major"],
    ),
    (
        "II",
        "Ⅱ级响应",
        {"min_deaths": 3, "min_serious_injuries": 10, "min_direct_loss_yuan": Decimal("10000000")},
        ["major", "larger"],
    ),
    (
        "III",
        "Ⅲ级响应",
        {"min_deaths": 1, "min_serious_injuries": 3, "min_direct_loss_yuan": Decimal("1000000")},
        ["general"],
    ),
    ("IV", "Ⅳ级响应", {"min_serious_injuries": 1}, []),
]
TASKS = [
    ("县应急指挥部办公室", "接报后核实情况，报告总指挥并通知成员单位", 30),
    ("县应急管理局", "派出工作组赶赴现场，组织专家研判", 60),
    ("县消防救援大队", "开展灭火、堵漏和人员搜救", 15),
    ("县卫健局", "组织医疗救治和卫生防疫", 30),
    ("属地镇人民政府", "组织群众疏散转移和安置", 60),
]
STEPS = ["接报", "研判", "启动响应", "先期处置", "扩大响应", "响应终止"]


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "151", "189"]) + f"{rng.randrange(100_000_000):08d}"


def _digital(plan, rng, staff) -> None:
    for code, name, minimums, grades in LEVELS:
        level = services.save_level(
            plan,
            actor=staff,
            code=code,
            name=name,
            trigger_text=f"达到{name}启动条件",
            accident_grades=grades,
            **minimums,
        )
        for number, (role, task, minutes) in enumerate(TASKS[: 5 if code in ("I", "II") else 3], start=1):
            services.save_task(
                level, actor=staff, number=number, role=role, task=task, deadline_minutes=minutes
            )
    services.save_contact(plan, actor=staff, role="总指挥", name=person_name(rng), phone=_phone(rng))
    services.save_contact(plan, actor=staff, role="副总指挥", name=person_name(rng), phone=_phone(rng))
    for number, name in enumerate(STEPS, start=1):
        services.save_step(plan, actor=staff, number=number, name=name)


def seed_plans(rng: random.Random, now: datetime.datetime) -> int:
    county = Division.objects.filter(code=COUNTY).first()
    if county is None or EmergencyPlan.objects.filter(division__code__startswith=COUNTY[:6]).exists():
        return 0
    staff = get_user_model().objects.filter(username="demo_staff").first()
    today = now.date()
    count = 0
    general = services.create_plan(
        actor=staff,
        title="安澜县突发事件总体应急预案",
        owner_kind="government",
        division=county,
        level="county",
        plan_type="general",
        owner="安澜县人民政府",
        version="2024版",
        status="in_force",
        approved_at=today - datetime.timedelta(days=400),
        approved_by="县政府常务会议",
        filing_number="安应急备〔2024〕1号",
        filed_at=today - datetime.timedelta(days=390),
    )
    _digital(general, rng, staff)
    special = services.create_plan(
        actor=staff,
        title="安澜县危险化学品事故应急预案",
        owner_kind="government",
        division=county,
        level="county",
        plan_type="special",
        incident_types=["accident", "hazchem"],
        owner="安澜县应急管理局",
        version="2023版",
        status="in_force",
        approved_at=today - datetime.timedelta(days=3 * 365 - 20),
        approved_by="县政府",
    )
    _digital(special, rng, staff)
    count += 2
    for i, town in enumerate(Division.objects.filter(parent=county).order_by("code")[:6]):
        approved = today - datetime.timedelta(days=(3 * 365 + 30) if i == 0 else 200 + 90 * i)
        services.create_plan(
            actor=staff,
            title=f"{town.name}突发事件总体应急预案",
            owner_kind="government",
            division=town,
            level="town",
            plan_type="general",
            owner=f"{town.name}人民政府",
            status="in_force",
            approved_at=approved,
        )
        count += 1
    enterprises = Enterprise.objects.filter(division__code__startswith=county.prefix, hazchem_production=True)
    for j, enterprise in enumerate(enterprises.order_by("uscc")[:3]):
        plan = services.create_plan(
            actor=staff,
            title=f"{enterprise.name}泄漏事故现场处置方案",
            owner_kind="enterprise",
            enterprise=enterprise,
            level="enterprise",
            plan_type="onsite",
            incident_types=["hazchem"],
            owner=enterprise.name,
            status="in_force",
            approved_at=today - datetime.timedelta(days=300),
        )
        level = services.save_level(plan, actor=staff, code="IV", name="车间级响应", min_serious_injuries=1)
        services.save_task(
            level, actor=staff, number=1, role="班组长", task="切断物料、启动喷淋", deadline_minutes=5
        )
        services.save_task(
            level, actor=staff, number=2, role="安全员", task="警戒疏散并报告", deadline_minutes=10
        )
        count += 1
        if j == 0:
            services.save_drill(
                actor=staff,
                plan=plan,
                held_on=today - datetime.timedelta(days=20),
                kind="functional",
                participant_count=35,
                participant_units="生产部、安环部、消防队",
                scenario="储罐区苯泄漏",
                score=82,
                evaluation="响应基本及时，通信联络需加强",
                problems=["应急广播覆盖不足", "防化服数量不足"],
            )
    services.save_drill(
        actor=staff,
        plan=special,
        held_on=today - datetime.timedelta(days=60),
        kind="tabletop",
        participant_count=48,
        participant_units="县应急管理局、消防救援大队、卫健局、属地镇",
        scenario="化工园区火灾爆炸",
        score=88,
        evaluation="指挥协调顺畅",
    )
    return count
