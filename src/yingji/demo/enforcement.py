"""Demo enforcement (执法) for the demo county (安澜县 329901): six enterprises at every stage of the loop —
an order being rectified, an overdue order, an order closed after its re-inspection, a penalty decided
and unpaid, a penalty paid and closed, an enterprise suspended (停产停业整顿) — plus a few enforcement
leads. Through the services (numbered documents, deadlines on the ladder, audit rows), with `now`
moved back so the dates read naturally.

`seed_enforcement(rng, now)` is idempotent: it does nothing when the county already has an order.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model

from yingji.inspections import services_enforcement as services
from yingji.inspections.models_checklists import Finding, Inspection
from yingji.inspections.models_enforcement import RectificationOrder
from yingji.registry.models import Enterprise

COUNTY = "329901000000"
PROBLEMS = [
    ("安全出口被货物堵塞", "《中华人民共和国消防法》第二十八条"),
    ("未按规定对从业人员进行安全生产教育和培训", "《中华人民共和国安全生产法》第二十八条"),
    ("粉尘除尘系统未按规定清理，积尘严重", "《工贸企业粉尘防爆安全规定》第十五条"),
    ("有限空间作业未执行先通风、再检测、后作业", "《工贸企业有限空间作业安全规定》第十五条"),
    ("危险化学品储存场所未设置明显的安全警示标志", "《中华人民共和国安全生产法》第三十五条"),
    ("特种作业人员未持证上岗", "《中华人民共和国安全生产法》第三十条"),
    ("安全设备未经常性维护、保养和定期检测", "《中华人民共和国安全生产法》第三十六条"),
]
BASIS = "《中华人民共和国安全生产法》第一百零二条"
DAY = datetime.timedelta(days=1)


def _inspection(
    rng: random.Random, enterprise: Enterprise, inspector, at: datetime.datetime, deadline
) -> Inspection:
    inspection = Inspection.objects.create(
        enterprise=enterprise,
        division_id=enterprise.division_id,
        kind=rng.choice(["routine", "planned", "special"]),
        status="finished",
        started_at=at,
        finished_at=at + datetime.timedelta(hours=2),
        created_by=inspector,
        summary="按检查表逐项检查，现场发现问题如下。",
    )
    inspection.inspectors.add(inspector)
    for description, basis in rng.sample(PROBLEMS, 2):
        Finding.objects.create(
            inspection=inspection, description=description, legal_basis=basis, deadline=deadline
        )
    return inspection


def _order(rng, enterprise, inspector, issued: datetime.datetime, days: int) -> RectificationOrder:
    deadline = (issued + days * DAY).date()
    inspection = _inspection(rng, enterprise, inspector, issued - datetime.timedelta(hours=3), deadline)
    services.issue_inspection_record(actor=inspector, inspection=inspection, now=issued)
    return services.issue_order(actor=inspector, inspection=inspection, deadline=deadline, now=issued)


def _reinspect(order: RectificationOrder, inspector, at: datetime.datetime, rectified: int) -> None:
    findings = sorted(order.inspection.findings.values_list("pk", flat=True))
    results = {pk: "rectified" if i < rectified else "not_rectified" for i, pk in enumerate(findings)}
    services.reinspect(actor=inspector, order=order, results=results, note="现场复查。", now=at)


def seed_enforcement(rng: random.Random, now: datetime.datetime) -> int:
    if RectificationOrder.objects.filter(division__code__startswith=COUNTY[:6]).exists():
        return 0
    users = get_user_model().objects
    inspector = users.filter(username="demo_inspector").first() or users.filter(username="demo_staff").first()
    if inspector is None:
        return 0
    enterprises = list(Enterprise.objects.filter(division__code__startswith=COUNTY[:6]).order_by("pk")[:9])
    if len(enterprises) < 6:
        return 0
    count = 0
    # Being rectified, deadline ahead.
    _order(rng, enterprises[0], inspector, now - 3 * DAY, 10)
    # Overdue: the deadline passed five days ago, no re-inspection yet.
    _order(rng, enterprises[1], inspector, now - 20 * DAY, 15)
    # Closed after the re-inspection.
    order = _order(rng, enterprises[2], inspector, now - 30 * DAY, 14)
    _reinspect(order, inspector, now - 15 * DAY, rectified=2)
    services.close_order(order, actor=inspector, now=now - 15 * DAY)
    # One finding not rectified → penalty decided, unpaid.
    order = _order(rng, enterprises[3], inspector, now - 40 * DAY, 15)
    _reinspect(order, inspector, now - 24 * DAY, rectified=1)
    penalty = services.refer_penalty(order, actor=inspector, now=now - 24 * DAY)
    services.decide_penalty(
        penalty,
        actor=inspector,
        legal_basis=BASIS,
        amount=65000,
        discretion="general",
        violation="aqsf-102",
        now=now - 20 * DAY,
    )
    # Penalty paid and closed.
    order = _order(rng, enterprises[4], inspector, now - 60 * DAY, 15)
    _reinspect(order, inspector, now - 44 * DAY, rectified=0)
    penalty = services.refer_penalty(order, actor=inspector, now=now - 44 * DAY)
    services.decide_penalty(
        penalty, actor=inspector, legal_basis=BASIS, amount=55000, discretion="lenient", now=now - 40 * DAY
    )
    services.record_payment(penalty, actor=inspector, now=now - 30 * DAY)
    services.close_penalty(penalty, actor=inspector, now=now - 30 * DAY)
    # Refused to rectify a major hazard: penalty and suspension of production.
    order = _order(rng, enterprises[5], inspector, now - 35 * DAY, 10)
    _reinspect(order, inspector, now - 24 * DAY, rectified=0)
    penalty = services.refer_penalty(order, actor=inspector, now=now - 24 * DAY)
    services.decide_penalty(
        penalty,
        actor=inspector,
        legal_basis=BASIS,
        amount=95000,
        discretion="severe",
        violation="aqsf-102",
        suspend=True,
        suspension_reason="拒不执行责令限期整改指令，重大事故隐患未消除。",
        now=now - 22 * DAY,
    )
    count += 6
    # Leads.
    for enterprise, source, summary in (
        (enterprises[6 % len(enterprises)], "roll_call", "值班值守点名连续两次未应答"),
        (enterprises[7 % len(enterprises)], "video_check", "视频抽查发现动火作业无人监护"),
        (enterprises[8 % len(enterprises)], "dust_checkin", "粉尘清扫打卡连续三天缺失"),
        (enterprises[0], "alarm", "可燃气体浓度报警未及时处置"),
    ):
        services.open_lead(actor=inspector, enterprise=enterprise, source=source, summary=summary)
        count += 1
    lead = services.open_lead(
        actor=inspector, enterprise=enterprises[2], source="other", summary="群众来电反映夜间生产"
    )
    services.dismiss_lead(lead, actor=inspector, reason="经核实为正常生产，无违法行为。")
    return count + 1
