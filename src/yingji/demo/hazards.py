"""Demo hidden dangers: a year of reports in the demo county (安澜县 329901), run through the services.

`seed_hazards(rng, now)` plays each hazard's life through `hazards.services` with back-dated `now=`
(report, confirm, list for supervision, plan, submit, sometimes a rejection, verify, sign-off), stopping
wherever the story has not got to yet, so events, counters and deadlines agree: most old hazards are
closed, recent ones are open at every stage, some are past their deadline, a few majors are listed for
supervision. Idempotent: does nothing when the county already has hidden dangers. The demo's history
is not announced: notifications are held back while seeding (the escalation ladder still runs later,
so the overdue ones are chased as in real life).
"""

from __future__ import annotations

import datetime
import random
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from yingji.core.models import Division
from yingji.hazards import notifications, services
from yingji.hazards.models import Grade, Hazard, HazardCriterion, Source, Status
from yingji.registry.models import Enterprise

COUNTY = "329901000000"
DEFAULT_COUNT = 360
DAYS = 365
MAJOR_SHARE = 0.06
SOURCES = [
    (Source.SELF_CHECK, 45),
    (Source.INSPECTION, 35),
    (Source.PUBLIC_REPORT, 5),
    (Source.MONITORING, 5),
    (Source.OTHER, 10),
]
CHEMICAL_INDUSTRIES = {"25", "26", "27", "28"}

GENERAL_TITLES = [
    ("灭火器压力不足", "车间东侧灭火器压力表指针位于红区"),
    ("安全出口堵塞", "二楼安全出口被成品堆放堵塞"),
    ("应急照明失效", "仓库应急照明灯按下测试按钮不亮"),
    ("配电箱未上锁", "一号车间配电箱门未上锁，无警示标识"),
    ("电线私拉乱接", "办公区插线板串接使用"),
    ("防护栏缺失", "二层平台临边防护栏缺失一段"),
    ("作业人员未佩戴劳保用品", "打磨岗位作业人员未戴防护眼镜"),
    ("安全警示标识缺失", "有限空间入口未设置警示标识"),
    ("消防通道占用", "厂区消防通道停放货车"),
    ("特种设备未定期检验", "叉车检验合格证过期"),
    ("气瓶未固定", "乙炔气瓶直立存放未采取防倾倒措施"),
    ("操作规程未上墙", "冲压岗位未张贴安全操作规程"),
    ("安全培训记录不全", "新员工三级安全教育记录缺失"),
    ("危险化学品存放混乱", "氧化剂与易燃物同库存放"),
    ("粉尘清扫不及时", "抛光车间地面及设备表面积尘较多"),
    ("皮带轮防护罩缺失", "输送机皮带轮未设置防护罩"),
]
MAJOR_TITLES = [
    ("可燃气体报警装置未投用", "罐区可燃气体检测报警装置停用"),
    ("紧急停车系统未投用", "反应釜紧急停车系统处于旁路状态"),
    ("安全距离不足", "甲类仓库与相邻建筑防火间距不足"),
    ("粉尘除尘系统未按规定设置", "除尘系统未采用泄爆、隔爆措施"),
    ("有限空间作业未审批", "污水池清淤作业未执行审批和检测"),
]
REJECTION_NOTES = ["整改照片不清晰，请补充", "现场复查仍有问题", "未附整改前后对比"]


@contextmanager
def _quiet():
    """Hold back the notifications of the seeded history (it happened "before" the demo started)."""
    original = notifications.event_happened
    notifications.event_happened = lambda event_id: None
    try:
        yield
    finally:
        notifications.event_happened = original


def _actors(county: Division):
    """(reporter/rectifier, verifier, supervising officer) among the county's bureau users."""
    users = list(
        get_user_model()
        .objects.filter(division_id=county.code, role__in=["bureau_staff", "bureau_admin"], is_active=True)
        .order_by("role", "pk")
    )
    if len(users) < 2:
        return None
    staff = next((u for u in users if u.role == "bureau_staff"), users[0])
    other = next(u for u in users if u.pk != staff.pk)
    return staff, other, staff


def _enterprise_user(enterprise: Enterprise):
    return (
        get_user_model()
        .objects.filter(enterprise=enterprise, role="enterprise_user", is_active=True)
        .order_by("pk")
        .first()
    )


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _open_chance(age_days: float) -> float:
    """How likely a hazard this old is still open at `now` (besides stopping at `now` itself)."""
    if age_days < 30:
        return 0.35
    if age_days < 90:
        return 0.12
    if age_days < 180:
        return 0.05
    return 0.02


def seed_hazards(rng: random.Random, now: datetime.datetime, *, count: int = DEFAULT_COUNT) -> int:
    """Create about `count` demo hidden dangers reported over the last year; return how many."""
    county = Division.objects.filter(code=COUNTY).first()
    if county is None or Hazard.objects.filter(division__code__startswith=county.prefix).exists():
        return 0
    actors = _actors(county)
    enterprises = list(
        Enterprise.objects.filter(division__code__startswith=county.prefix).order_by("pk")[:2000]
    )
    if actors is None or not enterprises:
        return 0
    criteria = {
        "chem": list(HazardCriterion.objects.filter(standard="chem-2017").values_list("code", flat=True)),
        "other": list(HazardCriterion.objects.exclude(standard="chem-2017").values_list("code", flat=True)),
    }
    with _quiet(), transaction.atomic():
        # Oldest first: a town's history reads in order.
        starts = sorted(
            now - datetime.timedelta(days=rng.uniform(0.2, DAYS), minutes=rng.randint(0, 600))
            for _ in range(count)
        )
        for reported_at in starts:
            enterprise = rng.choice(enterprises)
            _one(rng, now, reported_at.replace(microsecond=0), enterprise, actors, criteria, county)
    return count


def _one(rng, now, reported_at, enterprise, actors, criteria, county) -> None:
    staff, verifier, supervisor = actors
    company_user = _enterprise_user(enterprise)
    source = _weighted(rng, SOURCES)
    reporter = company_user if source == Source.SELF_CHECK and company_user is not None else staff
    major = rng.random() < MAJOR_SHARE
    title, description = rng.choice(MAJOR_TITLES if major else GENERAL_TITLES)
    chosen = []
    if major:
        pool = criteria["chem"] if enterprise.industry[:2] in CHEMICAL_INDUSTRIES else criteria["other"]
        pool = pool or criteria["chem"] or criteria["other"]
        chosen = [rng.choice(pool)] if pool else []
        major = bool(chosen)
    hazard = services.report_hazard(
        actor=reporter,
        title=title,
        description=description,
        source=source,
        enterprise=enterprise,
        grade=Grade.MAJOR if major else Grade.GENERAL,
        criteria=chosen,
        location=rng.choice(["一号车间", "二号车间", "仓库", "罐区", "配电房", "办公楼", "厂区道路"]),
        now=reported_at,
    )
    age_days = (now - reported_at).total_seconds() / 86400
    stop_open = rng.random() < _open_chance(age_days)
    # Where an open hazard's story stops: (stage after which it stays open)
    stop_stage = (
        rng.choice(["reported", "confirmed", "rectifying", "rectifying", "submitted"]) if stop_open else ""
    )
    t = reported_at + datetime.timedelta(hours=rng.uniform(2, 48))

    def past(moment) -> bool:
        return moment < now

    if stop_stage == "reported" or not past(t):
        return
    immediate = not major and rng.random() < 0.35
    if immediate:
        due_at = t + datetime.timedelta(hours=rng.uniform(8, 24))
    else:
        due_at = t + datetime.timedelta(days=rng.randint(30, 90) if major else rng.randint(7, 30))
    hazard = services.confirm_hazard(
        hazard,
        actor=staff,
        grade=hazard.grade,
        treatment="immediate" if immediate else "deadline",
        due_at=due_at,
        now=t,
    )
    if major and rng.random() < 0.7:
        t_list = t + datetime.timedelta(hours=rng.uniform(1, 72))
        if past(t_list):
            services.list_for_supervision(
                hazard,
                actor=supervisor,
                level="county",
                authority=county,
                unit="安澜县应急管理局",
                document_no=f"安应急督〔{t_list.year}〕{rng.randint(1, 60)}号",
                due_at=due_at + datetime.timedelta(days=15),
                now=t_list,
            )
            hazard.refresh_from_db()
            t = t_list
    if stop_stage == "confirmed":
        return
    t = t + datetime.timedelta(hours=rng.uniform(1, 24))
    if not past(t):
        return
    rectifier = company_user if company_user is not None and not major else staff
    plan = {}
    if major:
        plan = {
            "measures": "制定专项整改方案，停产整改，更换或恢复安全设施",
            "responsible": "企业主要负责人",
            "funds": Decimal(rng.randint(2, 60) * 10000),
            "contingency": "整改期间落实专人监护和应急处置预案",
        }
    hazard = services.start_rectification(hazard, actor=rectifier, now=t, **plan)
    if stop_stage == "rectifying":
        return
    late = rng.random() < 0.12
    window = (due_at - t).total_seconds()
    if late:
        t = max(t, due_at) + datetime.timedelta(days=rng.uniform(0.5, 12))
    elif window > 0:
        t = t + datetime.timedelta(seconds=window * rng.uniform(0.2, 0.95))
    else:  # an on-the-spot rectification started after its day had passed
        t = t + datetime.timedelta(hours=rng.uniform(1, 24))
    if not past(t):
        return
    hazard = services.submit_rectification(
        hazard, actor=rectifier, note="已按要求完成整改，附整改后照片", now=t
    )
    if rng.random() < 0.1:
        t = t + datetime.timedelta(hours=rng.uniform(4, 48))
        if not past(t):
            return
        hazard = services.reject_rectification(
            hazard, actor=verifier, note=rng.choice(REJECTION_NOTES), now=t
        )
        t = t + datetime.timedelta(hours=rng.uniform(4, 72))
        if not past(t):
            return
        hazard = services.submit_rectification(hazard, actor=rectifier, note="已补充整改并复查", now=t)
    if stop_stage == "submitted":
        return
    t = t + datetime.timedelta(hours=rng.uniform(2, 72))
    if not past(t):
        return
    checker = verifier if rectifier.pk != verifier.pk else staff
    hazard = services.verify_hazard(hazard, actor=checker, note="现场复查合格", now=t)
    if hazard.status == Status.VERIFIED:
        t = t + datetime.timedelta(days=rng.uniform(1, 10))
        if past(t) and rng.random() < 0.9:
            services.sign_off_hazard(hazard, actor=supervisor, note="验收合格，予以销号", now=t)
