"""The demo seeds of plans and disaster reports run on the test county and are idempotent."""

from __future__ import annotations

import random

from django.utils import timezone

from yingji.demo.disaster_reports import seed_disaster_reports
from yingji.demo.plans import seed_plans
from yingji.incidents.models_reports import ReportVersion
from yingji.plans.models import Drill, EmergencyPlan


def test_demo_seeds_are_idempotent(county, enterprise_a):
    now = timezone.now()
    assert seed_plans(random.Random(1), now) > 0
    assert EmergencyPlan.objects.filter(owner_kind="enterprise").count() == 1
    assert Drill.objects.count() == 2
    assert any(p.review_state == "overdue" for p in EmergencyPlan.objects.all())
    assert seed_plans(random.Random(1), now) == 0
    assert seed_disaster_reports(random.Random(2), now) > 0
    assert ReportVersion.objects.filter(review_status="returned").count() == 1
    assert seed_disaster_reports(random.Random(2), now) == 0
