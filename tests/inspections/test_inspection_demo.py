"""The demo seed of checklists and inspections: through the services, idempotent."""

from __future__ import annotations

import random

from django.utils import timezone
from tests.conftest import COUNTY, _user

from yingji.demo.inspections import seed_inspections
from yingji.hazards.models import Hazard
from yingji.inspections.models_checklists import CheckIn, ChecklistTemplate, Inspection


def test_seed_inspections_is_idempotent(enterprise_a, enterprise_b):
    _user("demo_inspector", "inspector", COUNTY)
    created = seed_inspections(random.Random(1), timezone.now())
    assert created == 2
    assert ChecklistTemplate.objects.filter(division__isnull=True).count() == 5
    assert Inspection.objects.filter(status="finished").count() == 2
    assert CheckIn.objects.count() == 2 and CheckIn.objects.filter(is_far=True).exists()
    assert Hazard.objects.filter(source="inspection").count() == sum(
        i.findings.count() for i in Inspection.objects.all()
    )
    assert seed_inspections(random.Random(1), timezone.now()) == 0
