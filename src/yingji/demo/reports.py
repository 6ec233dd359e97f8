"""Demo public reports (有奖举报) in the demo county (安澜县 329901), run through the services.

`seed_public_reports(rng, now)` submits a dozen reports as the public would (with a photo each for
most), then handles them as the bureau would with back-dated times: some wait in the queue, some are
accepted as hidden dangers (two of them rewarded), some dismissed with a reason. Idempotent: does
nothing when the county already has public reports, or when it has no bureau staff or enterprises yet.
"""

from __future__ import annotations

import datetime
import io
import random
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from yingji.core.models import Division
from yingji.hazards import notifications, rules_reports, services_reports
from yingji.hazards.models import PublicReport

COUNTY = "329901000000"

REPORTS = [
    ("某五金加工作坊", "村口路东第三间厂房", "车间里堆满纸箱，电线随地乱拉，没看到灭火器。"),
    ("", "镇北菜市场二楼", "二楼楼梯口的安全出口被杂物堵死了，晚上门还上锁。"),
    ("某家具厂", "工业园区纬二路", "打磨车间粉尘很大，工人都没戴口罩，地上积了厚厚一层灰。"),
    ("某液化气站", "省道旁加气点", "钢瓶露天堆放，太阳直晒，旁边有人抽烟。"),
    ("", "新村小区地下车库", "电动车在楼道和车库里充电，飞线从窗户拉下来。"),
    ("某化工有限公司", "化工集中区东门", "夜里闻到很刺鼻的气味，围墙外排水沟的水颜色发黄。"),
    ("某建筑工地", "中心路与学府路交叉口", "塔吊下面没有围挡，工人高处作业不系安全带。"),
    ("某小饭店", "老街18号", "后厨燃气管用的是橡胶软管，已经老化开裂。"),
    ("某纺织厂", "河西工业区", "仓库里棉纱堆到屋顶，消防通道被货车堵住。"),
    ("", "村东头废品收购站", "收来的旧油桶堆在一起，有的还有残油，离民房很近。"),
    ("某机械厂", "经一路9号", "冲床的防护装置拆掉了，说是影响速度。"),
    ("某农家乐", "湖边度假村", "游船没有救生衣，超载载客。"),
]
# What happens to each report: (status, days after submission it was handled, reward yuan).
OUTCOMES = [
    ("received", 0, None),
    ("received", 0, None),
    ("received", 0, None),
    ("received", 0, None),
    ("accepted", 1, Decimal("500")),
    ("accepted", 2, Decimal("200")),
    ("accepted", 1, None),
    ("accepted", 3, None),
    ("dismissed", 2, None),
    ("dismissed", 1, None),
    ("dismissed", 4, None),
    ("received", 0, None),
]
DISMISSALS = [
    "经现场核查，该场所已于上月停业，举报情况不存在。",
    "与编号前一条举报为同一事项，已合并处理。",
    "经核查属于住建部门职责，已移交县住建局处理。",
]


@contextmanager
def _quiet():
    """Hold back the notifications of the seeded history (it happened before the demo started)."""
    original = notifications.event_happened
    notifications.event_happened = lambda event_id: None
    try:
        yield
    finally:
        notifications.event_happened = original


def _photo(rng: random.Random, n: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (rng.randrange(150, 230),) * 3)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(0, 280), rng.randrange(0, 200)
        colour = (rng.randrange(60, 220), rng.randrange(40, 160), rng.randrange(20, 120))
        draw.rectangle([x, y, x + rng.randrange(20, 120), y + rng.randrange(20, 90)], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return SimpleUploadedFile(f"report-{n}.jpg", buffer.getvalue(), content_type="image/jpeg")


def seed_public_reports(rng: random.Random, now: datetime.datetime) -> int:
    """Create the demo reports; returns how many were created (0 when there are some already)."""
    if PublicReport.objects.filter(division__code__startswith=COUNTY[:6]).exists():
        return 0
    staff = (
        get_user_model()
        .objects.filter(division_id=COUNTY, role="bureau_staff", is_active=True)
        .order_by("pk")
        .first()
    )
    villages = list(Division.objects.filter(code__startswith=COUNTY[:6], level="village").order_by("code"))
    if (
        staff is None
        or not villages
        or not services_reports.public_towns().filter(code__startswith=COUNTY[:6])
    ):
        return 0
    created = 0
    with _quiet(), transaction.atomic():
        for n, ((place, location, description), (status, handled_after, reward)) in enumerate(
            zip(REPORTS, OUTCOMES, strict=True)
        ):
            village = rng.choice(villages)
            submitted = now - datetime.timedelta(
                days=rng.randint(handled_after + 1, 40), hours=rng.randint(0, 12)
            )
            report = services_reports.submit_report(
                town=village.code[:9] + "000",
                village=village.code,
                enterprise_name=place,
                location=location,
                description=description,
                reporter_name=rng.choice(["", "王先生", "李女士", "热心群众"]),
                reporter_phone=rng.choice(["", f"139{rng.randrange(10**8):08d}"]),
                photos=[_photo(rng, n)] if rng.random() < 0.8 else [],
                challenge_token=rules_reports.new_challenge(randbelow=lambda k: 0).token,
                challenge_answer="1",  # the question "2 - 1"
                client_ip=f"demo-{n}",
            )
            PublicReport.objects.filter(pk=report.pk).update(created_at=submitted)
            handled_at = submitted + datetime.timedelta(days=handled_after, hours=2)
            if status == "accepted":
                title = (place or location)[:40] + "：" + description[:30]
                services_reports.accept_report(report, actor=staff, title=title, now=handled_at)
                if reward is not None:
                    services_reports.grant_reward(
                        report,
                        actor=staff,
                        amount_yuan=reward,
                        note="按县有奖举报办法发放",
                        now=handled_at + datetime.timedelta(days=3),
                    )
            elif status == "dismissed":
                services_reports.dismiss_report(
                    report, actor=staff, reason=rng.choice(DISMISSALS), now=handled_at
                )
            created += 1
    return created
