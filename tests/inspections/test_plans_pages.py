"""Pages of plans, classification, draws (with the public page), conflicts, coverage and statistics."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.conftest import COUNTY
from tests.inspections.scoping_plans import finished_inspection, make_inspector

from yingji.core.models import Division
from yingji.inspections import services_plans as services
from yingji.inspections.models_plans import ClassificationConfig, InspectionPlan, PlanEntry, RandomDraw


@pytest.fixture
def inspectors(county):
    return [make_inspector(f"insp{n}", COUNTY) for n in range(3)]


def test_plan_pages_journey(client_for, admin_user, enterprise_a, enterprise_b, inspectors):
    client = client_for(admin_user)
    assert client.get(reverse("inspections:inspectionplan_list")).status_code == 200
    assert client.get(reverse("inspections:inspectionplan_add")).status_code == 200
    response = client.post(
        reverse("inspections:inspectionplan_add"), {"division": COUNTY, "year": 2027, "generate": "on"}
    )
    plan = InspectionPlan.objects.get()
    assert response.status_code == 302 and plan.entries.count() == 3
    detail = client.get(reverse("inspections:inspectionplan_detail", args=[plan.pk]))
    assert detail.status_code == 200 and b'id="plan-entries"' in detail.content
    # A month outside 1-12 is a field error and writes nothing.
    response = client.post(
        reverse("inspections:planentry_add", args=[plan.pk]), {"enterprise": enterprise_b.pk, "month": 13}
    )
    assert response.status_code == 400 and b'data-field="month"' in response.content
    assert plan.entries.count() == 3
    response = client.post(
        reverse("inspections:inspectorgroup_add", args=[plan.pk]),
        {"name": "一组", "members": [inspectors[0].pk]},
    )
    assert response.status_code == 400 and b'data-field="members"' in response.content
    response = client.post(
        reverse("inspections:inspectorgroup_add", args=[plan.pk]),
        {"name": "一组", "members": [inspectors[0].pk, inspectors[1].pk]},
    )
    assert response.status_code == 302 and plan.groups.count() == 1
    entry = PlanEntry.objects.filter(plan=plan, enterprise=enterprise_b).get()
    response = client.post(reverse("inspections:planentry_edit", args=[entry.pk]), {"month": 0})
    assert response.status_code == 400
    response = client.post(
        reverse("inspections:planentry_edit", args=[entry.pk]), {"month": 9, "group": plan.groups.get().pk}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.month == 9 and entry.group is not None
    assert client.post(reverse("inspections:inspectionplan_publish", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "published"


def test_classification_page_and_config(client_for, admin_user, staff_user, enterprise_a, enterprise_b):
    url = reverse("inspections:plan_classification") + f"?division={COUNTY}"
    response = client_for(staff_user).get(url)
    assert response.status_code == 200
    assert b'data-class="key"' in response.content and b'data-class="general"' in response.content
    assert client_for(staff_user).post(url, {}).status_code == 403
    client = client_for(admin_user)
    data = {
        "flags": ["dust_explosion"],
        "risk_levels": ["major"],
        "industries": "34",
        "open_major_hazards": 1,
        "findings_last_year": 0,
        "key_per_year": 3,
        "general_per_year": 1,
        "general_share": 50,
    }
    assert client.post(url, data).status_code == 302
    config = ClassificationConfig.objects.get(division_id=COUNTY)
    assert config.industries == ["34"] and config.key_per_year == 3
    assert client.post(url, {**data, "key_per_year": 13}).status_code == 400
    config.refresh_from_db()
    assert config.key_per_year == 3


def test_draw_pages_and_public_result(client, client_for, admin_user, enterprise_a, enterprise_b, inspectors):
    staff = client_for(admin_user)
    response = staff.post(
        reverse("inspections:randomdraw_add"), {"division": COUNTY, "count": 5, "per_enterprise": 2}
    )
    assert response.status_code == 400 and b'data-field="count"' in response.content
    assert not RandomDraw.objects.exists()
    response = staff.post(
        reverse("inspections:randomdraw_add"),
        {"division": COUNTY, "count": 2, "per_enterprise": 2, "seed": 99},
    )
    draw = RandomDraw.objects.get()
    assert response.status_code == 302 and draw.seed == 99
    detail = staff.get(reverse("inspections:randomdraw_detail", args=[draw.pk]))
    assert detail.status_code == 200 and b'data-verified="true"' in detail.content
    staff.logout()
    public = reverse("inspections:randomdraw_public", args=[draw.pk])
    assert client.get(public).status_code == 404  # not published yet
    services.publish_draw(actor=admin_user, draw=draw)
    response = client.get(public)
    assert response.status_code == 200
    assert enterprise_a.name.encode() in response.content
    assert enterprise_a.main_person_phone.encode() not in response.content


def test_coverage_and_statistics_pages(
    client_for, admin_user, town_a_official, leader, enterprise_a, enterprise_b
):
    year = timezone.localdate().year
    finished_inspection(
        enterprise_a,
        timezone.make_aware(datetime.datetime(year, 1, 5, 9)),
        user=admin_user,
        findings=2,
        major=1,
    )
    for user in (admin_user, town_a_official, leader):
        client = client_for(user)
        response = client.get(reverse("inspections:coverage"))
        assert response.status_code == 200
        response = client.get(reverse("inspections:enforcement_statistics"), {"group_by": "month"})
        assert response.status_code == 200
    client = client_for(admin_user)
    response = client.get(reverse("inspections:coverage"), {"year": year, "month": 1})
    assert b'data-enterprise="%d"' % enterprise_b.pk in response.content
    assert b'data-enterprise="%d"' % enterprise_a.pk not in response.content
    assert client.get(reverse("inspections:coverage"), {"month": 13}).status_code == 400
    response = client.get(reverse("inspections:enforcement_statistics_export"), {"year": year})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(reverse("inspections:enforcement_statistics_export"), {"quarter": 5}).status_code == 400


def test_permissions(client_for, town_a_official, leader, admin_user, county):
    town = client_for(town_a_official)
    assert town.get(reverse("inspections:inspectionplan_list")).status_code == 403
    assert town.get(reverse("inspections:randomdraw_list")).status_code == 403
    assert town.get(reverse("inspections:enforcement_statistics_export")).status_code == 403
    viewer = client_for(leader)
    assert viewer.get(reverse("inspections:inspectionplan_list")).status_code == 200
    assert viewer.get(reverse("inspections:randomdraw_add")).status_code == 403
    response = viewer.post(reverse("inspections:inspectionplan_add"), {"division": COUNTY, "year": 2027})
    assert response.status_code == 403 and not InspectionPlan.objects.exists()
    assert Division.objects.filter(code=COUNTY).exists()


def test_delete_pages(client_for, admin_user, enterprise_a, inspectors):
    county = Division.objects.get(code=COUNTY)
    plan = services.create_plan(actor=admin_user, division=county, year=2027)
    entry = plan.entries.first()
    client = client_for(admin_user)
    assert client.get(reverse("inspections:planentry_delete", args=[entry.pk])).status_code == 200
    services.publish_plan(actor=admin_user, plan=plan)
    response = client.post(reverse("inspections:planentry_delete", args=[entry.pk]))
    assert response.status_code == 302 and PlanEntry.objects.filter(pk=entry.pk).exists()
    conflict = services.declare_conflict(
        actor=admin_user, inspector=inspectors[0], enterprise=enterprise_a, reason="亲属"
    )
    response = client.post(reverse("inspections:conflictofinterest_delete", args=[conflict.pk]))
    assert response.status_code == 302 and not type(conflict).objects.exists()
    assert client.get(reverse("inspections:conflictofinterest_list")).status_code == 200
