"""The demo seed of incidents: written through the services, idempotent."""

from __future__ import annotations

import random

from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, _user
from tests.incidents.scoping_incidents import make_plan, make_stock, make_team

from yingji.demo.incidents import seed_incidents
from yingji.incidents.models import Dispatch, Incident, Investigation, SupplyRequest


def test_seed_incidents(county, enterprise_a, enterprise_b):
    duty = _user("demo_duty", "duty_officer", COUNTY)
    staff = _user("demo_staff", "bureau_staff", COUNTY)
    make_plan(staff, COUNTY)
    make_team("甲镇专职消防队", TOWN_A, 32.005, 120.905)
    make_team("县危化救援队", TOWN_A, 32.02, 120.93)
    make_stock(staff, TOWN_A, 20)
    now = timezone.now()
    assert seed_incidents(random.Random(1), now) == 3
    assert duty.pk
    explosion = Incident.objects.get(enterprise=enterprise_a)
    assert explosion.grade == "larger" and explosion.status == "responding"
    assert Dispatch.objects.count() == 2 and SupplyRequest.objects.count() == 1
    fire = Incident.objects.get(enterprise=enterprise_b)
    assert fire.status == "closed" and Investigation.objects.get().supervised
    assert fire.investigation.reviews.count() == 1
    assert seed_incidents(random.Random(1), now) == 0
