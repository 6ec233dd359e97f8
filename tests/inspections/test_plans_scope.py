"""Jurisdiction: a town's inspector and official see their own town only; a leader changes nothing."""

from __future__ import annotations

from django.urls import reverse
from tests.conftest import TOWN_A, TOWN_B
from tests.inspections.scoping_plans import draw_of, make_inspector, plan_of

from yingji.inspections.models_plans import InspectionPlan, RandomDraw

BASE = "/api/v1/inspection-plans"


def test_town_inspector_sees_own_town_only(client_for, admin_user, enterprise_a, enterprise_b):
    mine, theirs = plan_of(enterprise_a), plan_of(enterprise_b)
    my_draw, their_draw = draw_of(enterprise_a), draw_of(enterprise_b)
    client = client_for(make_inspector("town_inspector", TOWN_A))
    assert client.get(reverse("inspections:inspectionplan_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("inspections:inspectionplan_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("inspections:randomdraw_detail", args=[their_draw.pk])).status_code == 404
    assert client.get(f"{BASE}/plans/{theirs.pk}").status_code == 404
    assert client.get(f"{BASE}/draws/{their_draw.pk}").status_code == 404
    assert client.get(f"{BASE}/draws/{my_draw.pk}").status_code == 200
    listed = client.get(f"{BASE}/plans", {"division": TOWN_B}).json()
    assert listed["count"] == 0
    response = client.post(f"{BASE}/draws", {"division": TOWN_B, "count": 1}, content_type="application/json")
    assert response.status_code == 400 and "division" in response.json()["fields"]
    response = client.post(f"{BASE}/plans/{theirs.pk}/publish")
    assert response.status_code == 404


def test_town_official_figures_and_leader(client_for, town_a_official, leader, enterprise_a, enterprise_b):
    client = client_for(town_a_official)
    data = client.get(f"{BASE}/coverage", {"division": TOWN_B}).json()
    assert data["rows"] == [] and data["total"]["enterprises"] == 0
    data = client.get(f"{BASE}/statistics", {"division": TOWN_B}).json()
    assert data["total"]["enterprises"] == 0 and data["total"]["inspections"] == 0
    assert enterprise_b.name not in client.get(reverse("inspections:coverage")).content.decode()
    viewer = client_for(leader)
    plan = plan_of(enterprise_a)
    for url in (f"{BASE}/plans/{plan.pk}/publish", f"{BASE}/draws", f"{BASE}/plans"):
        assert viewer.post(url, {}, content_type="application/json").status_code == 403
    assert viewer.put(f"{BASE}/classification", {}, content_type="application/json").status_code == 403
    plan.refresh_from_db()
    assert plan.status == "draft" and InspectionPlan.objects.count() == 1 and not RandomDraw.objects.exists()
