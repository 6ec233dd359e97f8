"""Demo checklists and inspections for the demo county (安澜县 329901): the five shipped checklists
(危化, 粉尘涉爆, 有限空间, 工贸通用, 小场所消防), finished inspections of the last weeks whose failed items
became hidden dangers, two inspections in progress, and QR check-ins (one flagged as far from the
enterprise, one with the location refused).

`seed_inspections(rng, now)` goes through the services; idempotent: it does nothing when the county
already has an inspection run against a checklist.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model

from yingji.inspections import services_checklists, services_inspections
from yingji.inspections.models_checklists import ChecklistTemplate, Inspection
from yingji.registry.models import Enterprise

COUNTY = "329901000000"
FINISHED = 8
IN_PROGRESS = 2


def _template_for(enterprise: Enterprise, templates: dict[str, ChecklistTemplate]) -> ChecklistTemplate:
    if enterprise.hazchem_production or enterprise.hazchem_business or enterprise.hazchem_use:
        return templates["hazchem"]
    if enterprise.dust_explosion:
        return templates["dust"]
    if enterprise.confined_space:
        return templates["confined_space"]
    if (enterprise.industry or "")[:2] in ("51", "52", "61", "62"):
        return templates["small_venue_fire"]
    return templates["industry_general"]


def _answer(
    rng: random.Random, inspection: Inspection, inspector, now, *, fail_rate: float, upto=None
) -> None:
    items = services_inspections.template_items(inspection)
    for item in items[:upto]:
        failed = rng.random() < fail_rate
        services_inspections.record_result(
            actor=inspector,
            inspection=inspection,
            item=item,
            result="fail" if failed else rng.choice(["pass", "pass", "pass", "na"]),
            note="现场检查发现问题，已拍照取证" if failed else "",
            now=now,
        )


def seed_inspections(rng: random.Random, now: datetime.datetime) -> int:
    services_checklists.load_shipped_templates()
    users = get_user_model().objects
    inspector = users.filter(username="demo_inspector").first() or users.filter(username="demo_staff").first()
    if inspector is None:
        return 0
    if Inspection.objects.filter(division__code__startswith=COUNTY[:6], template__isnull=False).exists():
        return 0
    templates = {t.code: t for t in ChecklistTemplate.objects.filter(division__isnull=True, status="active")}
    enterprises = list(
        Enterprise.objects.filter(division__code__startswith=COUNTY[:6], status="operating")
        .exclude(latitude=None)
        .order_by("pk")[:400]
    )
    if not enterprises or len(templates) < 5:
        return 0
    from yingji.demo.hazards import _quiet  # the seeded history sends no notifications

    chosen = rng.sample(enterprises, min(len(enterprises), FINISHED + IN_PROGRESS))
    created = 0
    with _quiet():
        for index, enterprise in enumerate(chosen):
            finished = index < FINISHED
            started = now - datetime.timedelta(
                days=rng.randint(1, 40) if finished else 0, hours=rng.randint(1, 4)
            )
            near = (
                enterprise.latitude + rng.uniform(-0.001, 0.001),
                enterprise.longitude + rng.uniform(-0.001, 0.001),
            )
            if index == 1:
                near = (enterprise.latitude + 0.02, enterprise.longitude)  # about 2 km away: flagged
            location = {} if index == 2 else {"latitude": near[0], "longitude": near[1], "accuracy": 15}
            check_in, inspection = services_inspections.start_from_scan(
                actor=inspector,
                enterprise=enterprise,
                template=_template_for(enterprise, templates),
                kind=rng.choice(["routine", "routine", "planned", "special"]),
                now=started,
                **location,
            )
            if finished:
                _answer(rng, inspection, inspector, started + datetime.timedelta(minutes=40), fail_rate=0.12)
                services_inspections.finish_inspection(
                    actor=inspector,
                    inspection=inspection,
                    summary="现场检查完毕，发现的问题已责令限期整改。",
                    now=started + datetime.timedelta(hours=1),
                )
            else:
                _answer(rng, inspection, inspector, started, fail_rate=0.2, upto=3)
            created += 1
    return created
