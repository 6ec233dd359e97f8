"""Demo warnings (预警) and 叫应 for the demo county (安澜县 329901): call lists (the county's flood-control
leader, each town's leaders as A and B roles, one responsible person per village), a yellow rainstorm
warning issued an hour ago whose calls are mostly answered, an orange gale warning drafted by the
duty officer and waiting for a second person's approval, and a 预警提示单 to the towns.

`seed_warnings(rng, now)` goes through the services (so calls, messages and audit rows are real);
idempotent: does nothing when the county already has a call list.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model

from yingji.alerts import services, services_calls, services_notices
from yingji.alerts.models import Call, CallListEntry
from yingji.core.models import Division
from yingji.demo.generator import person_name

COUNTY = "329901000000"
MOBILE_PREFIXES = ["133", "138", "139", "151", "158", "180", "187", "189"]


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def _call_lists(rng: random.Random, county: Division) -> int:
    def add(division, tier, role="A", superior=None, min_level="blue"):
        return services_calls.save_entry(
            actor=None,
            division=division,
            tier=tier,
            name=person_name(rng),
            phone=_mobile(rng),
            role=role,
            superior=superior,
            min_level=min_level,
        )

    head = add(county, "county_hq", min_level="orange")
    count = 1
    for town in Division.objects.filter(parent=county).order_by("code"):
        leader = add(town, "town_leader", superior=head)
        add(town, "town_leader", role="B", superior=head)
        count += 2
        for village in Division.objects.filter(parent=town).order_by("code"):
            add(village, "village", superior=leader)
            count += 1
    return count


def seed_warnings(rng: random.Random, now: datetime.datetime) -> int:
    county = Division.objects.filter(code=COUNTY).first()
    if county is None or CallListEntry.objects.filter(division__code__startswith=COUNTY[:6]).exists():
        return 0
    users = get_user_model().objects
    staff, duty = users.get(username="demo_staff"), users.get(username="demo_duty")
    created = _call_lists(rng, county)

    issued_at = now - datetime.timedelta(hours=1)
    yellow = services.create_draft(
        actor=staff,
        division=county,
        source="met",
        event_type="rainstorm",
        event="暴雨",
        level="yellow",
        headline="安澜县气象台发布暴雨黄色预警",
        description="预计未来6小时内安澜县大部地区降雨量将达50毫米以上，局地可达80毫米。",
        instruction="请各镇做好防御暴雨准备；低洼地区注意防范积涝；危化企业检查雨水排放和防雷设施。",
        onset=issued_at,
        expires=now + datetime.timedelta(hours=11),
        areas=[{"area_desc": county.name, "division_codes": [COUNTY]}],
    )
    yellow = services.issue(yellow, actor=staff, now=issued_at)
    calls = list(Call.objects.filter(warning=yellow, parent__isnull=True).order_by("pk"))
    for call in calls:
        if rng.random() < 0.8:  # most answered within minutes; the rest still on the ladder
            services_calls.acknowledge_link(
                call.token,
                now=issued_at + datetime.timedelta(minutes=rng.randint(1, 25)),
                feedback={"on_site": rng.random() < 0.6, "deployed": rng.random() < 0.4},
            )
    services_notices.issue_notice(
        actor=staff,
        division=county,
        warning=yellow,
        title="关于做好本轮强降雨防范工作的预警提示单",
        measures="一、镇村防汛责任人立即到岗；二、排查低洼易涝点和危房；三、危化企业落实雨季“三防”措施。",
        feedback_due=now + datetime.timedelta(hours=5),
        recipient_divisions=list(Division.objects.filter(parent=county)),
        now=issued_at,
    )
    services.create_draft(
        actor=duty,
        division=county,
        source="met",
        event_type="gale",
        event="大风",
        level="orange",
        headline="安澜县气象台发布大风橙色预警（待审核）",
        description="预计今天夜里到明天白天沿江地区将出现9级以上大风。",
        instruction="停止高空和户外作业；加固临时搭建物；港口和渡口停止作业。",
        onset=now + datetime.timedelta(hours=2),
        expires=now + datetime.timedelta(hours=26),
        areas=[{"area_desc": county.name, "division_codes": [COUNTY]}],
    )
    return created + 2
