"""Demo enforcement plans for the demo county (安澜县 329901): its four inspectors,
the county's classification config (the shipped defaults, saved), this year's plan (two inspector
groups, published), a declared conflict of interest, finished planned inspections of about a third of
the enterprises in the months already past (so coverage and statistics show something), and a published
random draw of 20 enterprises.

`seed_inspection_plans(rng, now)` goes through the services for plans, conflicts and draws; idempotent:
does nothing when the county already has a plan.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from yingji.core.models import Division
from yingji.inspections import services_plans as services
from yingji.inspections.models_checklists import Inspection
from yingji.inspections.models_plans import InspectionPlan

COUNTY = "329901000000"


def _inspectors(county: Division) -> list:
    """The demo county's inspectors (demo_inspector … demo_inspector4, made by the demo generator)."""
    users = get_user_model().objects
    return list(users.filter(role="inspector", is_active=True, division__code__startswith=county.code[:6]))


def seed_inspection_plans(rng: random.Random, now: datetime.datetime) -> int:
    county = Division.objects.filter(code=COUNTY).first()
    if county is None or InspectionPlan.objects.filter(division=county).exists():
        return 0
    users = get_user_model().objects
    admin = users.filter(username="demo_admin").first() or users.filter(role="bureau_admin").first()
    if admin is None:
        return 0
    inspectors = _inspectors(county)
    if len(inspectors) < 4:
        return 0
    services.save_config(actor=admin, division=county)
    year = timezone.localdate(now).year
    plan = services.create_plan(
        actor=admin, division=county, year=year, groups=[inspectors[:2], inspectors[2:4]], generate=True
    )
    count = 1 + plan.entries.count()
    if plan.entries.exists():
        services.publish_plan(actor=admin, plan=plan, now=now)
    first_key = plan.entries.filter(enterprise_class="key").order_by("id").first()
    if first_key is not None:
        services.declare_conflict(
            actor=admin, inspector=inspectors[0], enterprise=first_key.enterprise, reason="近亲属在该企业任职"
        )
        count += 1
    # The planned inspections of the months already past, for about a third of the entries.
    this_month = timezone.localdate(now).month
    for entry in plan.entries.filter(month__lt=this_month).select_related("enterprise", "group"):
        if rng.random() > 0.35:
            continue
        day = rng.randint(3, 26)
        finished = timezone.make_aware(datetime.datetime(year, entry.month, day, rng.randint(9, 16)))
        inspection = Inspection.objects.create(
            enterprise=entry.enterprise,
            division_id=entry.enterprise.division_id,
            kind="planned",
            status="in_progress",
            started_at=finished - datetime.timedelta(hours=2),
            created_by=admin,
        )
        if entry.group is not None:
            inspection.inspectors.set(entry.group.members.all())
        inspection.status, inspection.finished_at = "finished", finished
        inspection.save()
        count += 1
    try:
        pool = len(services.pool_enterprises(county))
        draw = services.run_draw(
            actor=admin, division=county, count=min(20, pool), title=f"{year}年双随机抽查（第一批）", now=now
        )
        services.publish_draw(actor=admin, draw=draw, now=now)
        count += 1
    except ValidationError:  # a demo without enough enterprises or inspectors has no draw
        pass
    return count
