"""Demo custodians (包保责任制) for whatever major hazard sources the demo has (`demo/sources.py` seeds
them): the three custodians of each, the default duties, and about nine weeks of history — most
duties done on time with a note, a few missed, the current ones pending.

The history is replayed day by day through the services (generation, completion, missed flagging),
so the tasks, deadlines and messages are what the hourly job would have made. Idempotent: a source
that already has custodians is left alone.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from yingji.accounts.models import User
from yingji.registry import rules_custodians as rules
from yingji.registry import services_custodians as services
from yingji.registry.models_sources import DutyTask, MajorHazardSource

HISTORY_DAYS = 63
DONE_RATE = 0.85
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "建国",
    "海峰",
    "志强",
    "晓东",
    "明",
    "伟",
    "丽娟",
    "国华",
    "立新",
    "春生",
    "文斌",
    "红梅",
    "永刚",
    "学军",
]
TITLES = {
    "main": ["总经理", "董事长", "厂长"],
    "technical": ["技术总监", "总工程师", "安全技术部部长"],
    "operational": ["生产车间主任", "储运部经理", "罐区班长"],
}
NOTES = [
    "已组织现场排查，未发现异常。",
    "排查完成，发现 1 处法兰渗漏，已当场紧固处理。",
    "检查监测监控系统运行记录，报警联锁测试正常。",
    "对作业票证和交接班记录进行了抽查，记录完整。",
]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186"]) + f"{rng.randrange(10**8):08d}"


def _entries(rng: random.Random, source: MajorHazardSource, user: User | None) -> list[dict]:
    return [
        {
            "role": role,
            "name": _person(rng),
            "title": rng.choice(TITLES[role]),
            "phone": _phone(rng),
            "user": user if role == "operational" else None,
        }
        for role in rules.ROLES
    ]


def _replay(rng: random.Random, source_ids: list[int], users: dict[int, User], start, now) -> None:
    """Day by day: open the periods, do most duties a little before they are due, flag the rest."""
    decided: set[int] = set()
    day = start
    while day <= now:
        services.generate_tasks(day, schedules=services.active_schedules().filter(source_id__in=source_ids))
        horizon = min(day + datetime.timedelta(days=1), now)
        due_soon = DutyTask.objects.filter(
            source_id__in=source_ids, status=rules.PENDING, due_at__lte=horizon
        ).select_related("schedule")
        for task in due_soon:
            if task.pk in decided:
                continue
            decided.add(task.pk)
            if rng.random() > DONE_RATE:
                continue  # left to be missed
            done_at = task.due_at - datetime.timedelta(hours=rng.randint(6, 48))
            results = {
                i: ("issue" if rng.random() < 0.05 else "ok", "") for i in range(len(task.schedule.checklist))
            }
            services.complete_task(
                task,
                actor=users.get(task.enterprise_id),
                results=results,
                note=rng.choice(NOTES),
                now=max(done_at, day - datetime.timedelta(days=1)),
            )
        services.mark_missed(day)
        day += datetime.timedelta(days=1)
    services.generate_tasks(now, schedules=services.active_schedules().filter(source_id__in=source_ids))


def seed_custodians(rng: random.Random | None = None, now: datetime.datetime | None = None) -> int:
    """Custodians and duty history for every major source without custodians; returns how many."""
    rng = rng or random.Random(13)
    now = now or timezone.now()
    sources = list(
        MajorHazardSource.objects.filter(is_major=True, status="in_use", custodians__isnull=True)
        .select_related("enterprise")
        .order_by("pk")
    )
    if not sources:
        return 0
    users: dict[int, User] = {}
    for user in User.objects.filter(
        role="enterprise_user", is_active=True, enterprise_id__in={s.enterprise_id for s in sources}
    ).order_by("pk"):
        users.setdefault(user.enterprise_id, user)
    start = now - datetime.timedelta(days=HISTORY_DAYS)
    for source in sources:
        services.set_custodians(
            source, actor=None, entries=_entries(rng, source, users.get(source.enterprise_id)), now=start
        )
    _replay(rng, [s.pk for s in sources], users, start, now)
    return len(sources)
