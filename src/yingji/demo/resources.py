"""Demo emergency resources (一库) for the demo county (安澜县 329901): the county fire and rescue
brigade and professional teams with members (A/B duty) and equipment, one volunteer team, one
warehouse and one shelter per town, the county reserve warehouse with stock (a few lines below their
minimum or expiring soon, so the warnings show), an agreement reserve, experts and key equipment.

`seed_resources(rng, now)` writes stock through the services (so movements are real); idempotent:
does nothing when the county already has a rescue team.
"""

from __future__ import annotations

import datetime
import random

from yingji.core.models import Division
from yingji.demo.generator import person_name
from yingji.resources import services
from yingji.resources.models import Equipment, Expert, Shelter, SupplyItem, Team, TeamMember, Warehouse

COUNTY = "329901000000"
MOBILE_PREFIXES = ["133", "138", "139", "151", "158", "180", "187", "189"]
SKILLS = ["破拆", "绳索救援", "水域救援", "危化品侦检", "医疗急救", "无人机操作", "通信保障", "驾驶"]
CERTIFICATES = ["消防员职业资格", "潜水员证", "救护员证", "无人机驾驶员执照", "特种作业操作证"]
COUNTY_TEAMS = [
    ("安澜县消防救援大队", "fire_rescue", "county", 40),
    ("安澜县危化品应急救援队", "hazchem", "county", 20),
    ("安澜县水上救援队", "water", "county", 16),
    ("安澜县电力抢修队", "power", "county", 12),
    ("蓝天救援队安澜分队", "social", "county", 25),
]
EXPERTS = [
    ("hazchem", "高级工程师", "市化工研究院"),
    ("fire", "高级工程师", "市消防救援支队"),
    ("flood", "教授级高工", "县水利局"),
    ("geology", "高级工程师", "省地质调查院"),
    ("medical", "主任医师", "县人民医院"),
    ("construction", "高级工程师", "县住建局"),
    ("power", "工程师", "县供电公司"),
]
EQUIPMENT = [
    ("挖掘机", "挖掘机", "CAT 320", "县交通运输局"),
    ("大流量排水抢险车", "排涝车", "3000 m³/h", "县水利局"),
    ("应急发电车", "发电车", "500 kW", "县供电公司"),
    ("50 吨汽车起重机", "起重机", "QY50", "协议企业"),
    ("应急通信指挥车", "通信车", "卫星便携站", "县应急管理局"),
    ("多旋翼无人机", "无人机", "M300 RTK", "县应急管理局"),
    ("冲锋舟及拖车", "冲锋舟", "7.5 m", "县水上救援队"),
    ("化学洗消车", "洗消车", "", "安澜县危化品应急救援队"),
]


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def _near(rng: random.Random, division: Division, spread: float = 0.02) -> tuple[float, float]:
    lat = division.latitude if division.latitude is not None else 32.0
    lng = division.longitude if division.longitude is not None else 120.9
    return round(lat + rng.uniform(-spread, spread), 6), round(lng + rng.uniform(-spread, spread), 6)


def _team(rng, now, name, kind, level, division, members) -> Team:
    lat, lng = _near(rng, division)
    team = Team.objects.create(
        name=name,
        kind=kind,
        level=level,
        division=division,
        address=f"{division.name}应急救援站",
        latitude=lat,
        longitude=lng,
        contact_name=person_name(rng),
        contact_phone=_mobile(rng),
        status="ready",
    )
    created = TeamMember.objects.bulk_create(
        TeamMember(
            team=team,
            name=person_name(rng),
            position="队长" if i == 0 else ("副队长" if i == 1 else "队员"),
            phone=_mobile(rng),
            skills="、".join(rng.sample(SKILLS, 2)),
            certificate=rng.choice(CERTIFICATES) if i % 2 == 0 else "",
            certificate_number=f"ZS{rng.randrange(10**8):08d}" if i % 2 == 0 else "",
            certificate_expiry=(now.date() + datetime.timedelta(days=rng.randrange(-60, 1000)))
            if i % 2 == 0
            else None,
        )
        for i in range(members)
    )
    team.headcount = members
    team.duty_a, team.duty_b = created[0], created[1]
    team.save(update_fields=["headcount", "duty_a", "duty_b"])
    return team


def seed_resources(rng: random.Random, now: datetime.datetime) -> int:
    county = Division.objects.filter(code=COUNTY).first()
    if county is None or Team.objects.filter(division__code__startswith=COUNTY[:6]).exists():
        return 0
    services.load_catalogue()
    count = 0
    teams = [_team(rng, now, name, kind, level, county, size) for name, kind, level, size in COUNTY_TEAMS]
    count += len(teams)
    towns = list(Division.objects.filter(parent=county).order_by("code"))
    items = {i.code: i for i in SupplyItem.objects.all()}
    today = now.date()

    depot_lat, depot_lng = _near(rng, county, 0.01)
    depot = Warehouse.objects.create(
        name="安澜县应急物资储备库",
        level="county",
        division=county,
        address="安澜县城北工业园",
        latitude=depot_lat,
        longitude=depot_lng,
        area_m2=3200,
        manager=person_name(rng),
        phone=_mobile(rng),
    )
    agreement = Warehouse.objects.create(
        name="安澜县协议储备（惠民超市）",
        level="agreement",
        division=county,
        address="安澜县人民路 88 号",
        latitude=round(depot_lat + 0.01, 6),
        longitude=round(depot_lng - 0.012, 6),
        manager=person_name(rng),
        phone=_mobile(rng),
    )
    count += 2
    stock_lines = [
        (depot, "tent", 300, 200, None),
        (depot, "folding-bed", 500, 300, None),
        (depot, "quilt", 800, 1000, None),  # below minimum
        (depot, "life-jacket", 400, 200, None),
        (depot, "assault-boat", 6, 4, None),
        (depot, "generator", 12, 10, None),
        (depot, "water-pump", 20, 10, None),
        (depot, "sandbag", 20000, 10000, None),
        (depot, "flashlight", 300, 100, None),
        (depot, "first-aid-kit", 150, 100, today + datetime.timedelta(days=20)),  # expiring
        (depot, "chemical-suit", 30, 20, None),
        (agreement, "instant-food", 600, 500, today + datetime.timedelta(days=90)),
        (agreement, "drinking-water", 800, 500, today + datetime.timedelta(days=12)),  # expiring
    ]
    for index, town in enumerate(towns):
        lat, lng = _near(rng, town)
        warehouse = Warehouse.objects.create(
            name=f"{town.name}应急物资储备点",
            level="town",
            division=town,
            address=f"{town.name}人民政府院内",
            latitude=lat,
            longitude=lng,
            area_m2=200,
            manager=person_name(rng),
            phone=_mobile(rng),
        )
        count += 1
        stock_lines += [
            (warehouse, "tent", 20, 20, None),
            (warehouse, "quilt", 60, 50, None),
            (warehouse, "life-jacket", 40 if index % 3 else 10, 30, None),  # every third town below minimum
            (warehouse, "sandbag", 2000, 1000, None),
            (warehouse, "flashlight", 30, 20, None),
        ]
        lat, lng = _near(rng, town)
        Shelter.objects.create(
            name=f"{town.name}中心小学避难场所",
            division=town,
            address=f"{town.name}中心小学",
            latitude=lat,
            longitude=lng,
            capacity=rng.choice([300, 500, 800]),
            area_m2=rng.choice([2000, 3500, 5000]),
            facilities="饮用水、应急供电、厕所、医疗点",
            is_open=index == 0,
            occupancy=rng.randrange(20, 120) if index == 0 else 0,
            manager=person_name(rng),
            phone=_mobile(rng),
        )
        teams.append(_team(rng, now, f"{town.name}综合应急救援队", "social", "town", town, 12))
        count += 2
    for warehouse, code, quantity, minimum, expiry in stock_lines:
        services.receive_stock(
            actor=None,
            warehouse=warehouse,
            item=items[code],
            quantity=quantity,
            reason="初始库存",
            reference="DEMO",
            expiry=expiry,
            minimum=minimum,
        )
    services.issue_stock(
        actor=None,
        warehouse=depot,
        item=items["sandbag"],
        quantity=3000,
        reason="汛期前下发乡镇",
        reference="调拨单 2026-01",
    )
    teams[1].status = "dispatched"
    teams[1].status_note = "赴甲镇化工园区开展联合演练"
    teams[1].save(update_fields=["status", "status_note"])
    for specialty, title, employer in EXPERTS:
        lat, lng = _near(rng, county, 0.05)
        Expert.objects.create(
            name=person_name(rng),
            specialty=specialty,
            title=title,
            employer=employer,
            phone=_mobile(rng),
            division=county,
            latitude=lat,
            longitude=lng,
        )
        count += 1
    for index, (name, kind, model, owner) in enumerate(EQUIPMENT):
        lat, lng = _near(rng, county, 0.04)
        Equipment.objects.create(
            name=name,
            kind=kind,
            model=model,
            owner=owner,
            team=teams[1] if kind == "洗消车" else (teams[2] if kind == "冲锋舟" else None),
            division=county,
            latitude=lat,
            longitude=lng,
            status="maintenance" if index == 3 else "available",
            contact_phone=_mobile(rng),
        )
        count += 1
    return count
