"""The demo seed of enforcement plans: idempotent, and its figures agree with the counters."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from tests.conftest import PASSWORD

from yingji.accounts.services import create_user
from yingji.demo.inspection_plans import seed_inspection_plans
from yingji.inspections import rollup_plans, services_plans
from yingji.inspections.models_plans import InspectionPlan, RandomDraw


def test_seed_is_idempotent(admin_user, enterprise_a, enterprise_b):
    for n in (1, 2, 3, 4):  # the demo generator's inspectors
        create_user(
            username=f"demo_inspector{n}", role="inspector", division=admin_user.division, password=PASSWORD
        )
    now = timezone.make_aware(datetime.datetime(2026, 11, 20, 10))
    assert seed_inspection_plans(random.Random(1), now) > 0
    plan = InspectionPlan.objects.get()
    assert plan.status == "published" and plan.groups.count() == 2
    draw = RandomDraw.objects.get()
    assert draw.status == "published" and services_plans.verify_draw(draw)
    assert rollup_plans.stored() == rollup_plans.recount()
    assert seed_inspection_plans(random.Random(1), now) == 0
    assert InspectionPlan.objects.count() == 1
