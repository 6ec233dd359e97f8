"""Demo incidents for the demo county (安澜县 329901), written through the services so timelines,
deadlines, dispatches and stock movements are real:

- an explosion at a chemical enterprise two hours ago (3 deaths → 较大), reported to the next level,
  its response open with the matched plan, the two nearest teams dispatched (one on scene), tents
  issued from the nearest warehouse, a manual entry;
- a fire at another enterprise 40 days ago (1 death → 一般), responded to and closed, investigated
  (cause, a responsible unit, a measure), under supervised listing, its 回头看 due a year after closing;
- a flood this morning in a town (a natural disaster, no grade), just reported.

Run after the resources and plans seeds (their teams, stock and plans). `seed_incidents(rng, now)` is
idempotent: it does nothing when the county already has an incident.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model

from yingji.core.models import Division
from yingji.incidents import services_incidents, services_response
from yingji.incidents.models import Incident, ReportDuty
from yingji.registry.models import Enterprise

COUNTY = "329901000000"


def _enterprise(rng: random.Random, **filters) -> Enterprise | None:
    queryset = Enterprise.objects.filter(
        division__code__startswith=COUNTY[:6], latitude__isnull=False, **filters
    ).order_by("pk")
    count = queryset.count()
    return queryset[rng.randrange(count)] if count else None


def _dispatch_nearest(response, actor, count: int) -> list:
    from yingji.resources import services as resources

    incident = response.incident
    rows = resources.nearest(
        user=actor,
        kind="team",
        latitude=incident.latitude,
        longitude=incident.longitude,
        limit=count,
        status="ready",
    )
    return [services_response.dispatch_team(response, actor=actor, team=row["object"]) for row in rows]


def _supply(response, actor, quantity: int = 5) -> None:
    from yingji.resources.models import Stock

    stock = (
        Stock.objects.filter(warehouse__division__code__startswith=COUNTY[:6], quantity__gte=quantity)
        .order_by("warehouse__level", "pk")
        .first()
    )
    if stock is not None:
        services_response.request_supply(
            response, actor=actor, stock=stock, quantity=quantity, note="现场安置"
        )


def seed_incidents(rng: random.Random, now: datetime.datetime) -> int:
    county = Division.objects.filter(code=COUNTY).first()
    if county is None or Incident.objects.filter(division__code__startswith=COUNTY[:6]).exists():
        return 0
    users = get_user_model().objects
    duty = users.filter(username="demo_duty").first() or users.filter(username="demo_staff").first()
    staff = users.filter(username="demo_staff").first() or duty
    if duty is None:
        return 0
    created = 0

    # 1. The explosion two hours ago, responding.
    chemical = _enterprise(rng, hazchem_production=True) or _enterprise(rng)
    if chemical is not None:
        reported = now - datetime.timedelta(hours=2)
        incident = services_incidents.report_incident(
            actor=duty,
            now=reported,
            kind="accident",
            subtype="hazchem",
            title=f"{chemical.name}反应釜爆炸",
            occurred_at=reported - datetime.timedelta(minutes=12),
            division=chemical.division,
            enterprise=chemical,
            latitude=chemical.latitude,
            longitude=chemical.longitude,
            address=chemical.address[:200],
            deaths=2,
            serious_injuries=4,
            trapped=3,
            direct_loss_yuan=3_500_000,
            description="车间反应釜超压爆炸，引发局部火灾，现场有人员被困。",
            reporter="值班员",
            reporter_phone="12350",
            channel="transfer_119",
        )
        created += 1
        duty_row = ReportDuty.objects.get(incident=incident, kind="initial")
        services_incidents.complete_report_duty(
            duty_row, actor=duty, note="已电话报告市应急管理局", now=reported + datetime.timedelta(minutes=35)
        )
        services_incidents.update_numbers(
            incident,
            actor=duty,
            deaths=3,
            trapped=1,
            note="搜救出被困人员2名，1人经抢救无效死亡",
            now=now - datetime.timedelta(minutes=50),
        )
        response = services_response.open_response(
            incident, actor=staff, now=reported + datetime.timedelta(minutes=20)
        )
        dispatches = _dispatch_nearest(response, staff, 2)
        if dispatches:
            services_response.set_dispatch_status(dispatches[0], actor=staff, status="en_route")
            services_response.set_dispatch_status(dispatches[0], actor=staff, status="on_scene")
        _supply(response, staff)
        services_response.add_manual_entry(
            incident, actor=staff, text="现场指挥部在厂区东门设立，实行交通管制。"
        )

    # 2. The fire 40 days ago: closed, investigated, under supervised listing.
    other = _enterprise(rng, hazchem_production=False) or chemical
    if other is not None:
        reported = now - datetime.timedelta(days=40)
        fire = services_incidents.report_incident(
            actor=duty,
            now=reported,
            kind="accident",
            subtype="fire",
            title=f"{other.name}仓库火灾",
            occurred_at=reported - datetime.timedelta(minutes=25),
            division=other.division,
            enterprise=other,
            latitude=other.latitude,
            longitude=other.longitude,
            deaths=1,
            direct_loss_yuan=800_000,
            description="成品仓库电气线路短路引发火灾。",
            channel="enterprise",
        )
        created += 1
        for duty_row in ReportDuty.objects.filter(incident=fire, done_at__isnull=True):
            services_incidents.complete_report_duty(
                duty_row, actor=duty, now=reported + datetime.timedelta(minutes=40)
            )
        response = services_response.open_response(
            fire, actor=staff, now=reported + datetime.timedelta(minutes=30)
        )
        services_response.close_response(
            response,
            actor=staff,
            outcome="明火于2小时内扑灭，无次生灾害。",
            now=reported + datetime.timedelta(hours=6),
        )
        investigation = services_incidents.open_investigation(
            fire,
            actor=staff,
            team="县政府事故调查组（应急、消防、公安、住建）",
            now=reported + datetime.timedelta(days=2),
        )
        services_incidents.update_investigation(
            investigation,
            actor=staff,
            findings="仓库电气线路老化，未按规定检测维护。",
            cause="电气线路短路引燃包装材料。",
            report_date=(reported + datetime.timedelta(days=30)).date(),
        )
        services_incidents.add_responsible_unit(
            investigation,
            actor=staff,
            name=other.name,
            responsibility="安全生产主体责任落实不到位",
            handling="罚款并约谈主要负责人",
        )
        services_incidents.add_measure(
            investigation,
            actor=staff,
            text="全面排查电气线路，更换老化线路",
            owner=other.name,
            due_date=(now + datetime.timedelta(days=30)).date(),
            now=now,
        )
        services_incidents.supervise(
            investigation, actor=staff, due_at=now + datetime.timedelta(days=60), now=now
        )

    # 3. A flood this morning, just reported.
    town = Division.objects.filter(parent=county).order_by("code").first()
    if town is not None:
        services_incidents.report_incident(
            actor=duty,
            now=now - datetime.timedelta(minutes=20),
            kind="natural",
            subtype="flood_drought",
            title=f"{town.name}河道漫堤",
            occurred_at=now - datetime.timedelta(minutes=40),
            division=town,
            trapped=6,
            description="持续强降雨致河道水位上涨，局部漫堤，低洼处群众被困。",
            reporter="村网格员",
            channel="phone_12350",
        )
        created += 1
    return created
