"""/api/v1/inspection-plans: plans, entries, draws, conflicts, coverage, statistics; errors and scope."""

from __future__ import annotations

import pytest
from tests.conftest import COUNTY, TOWN_A
from tests.inspections.scoping_plans import make_inspector

from yingji.inspections.models_plans import ConflictOfInterest, InspectionPlan, PlanEntry, RandomDraw

BASE = "/api/v1/inspection-plans"


@pytest.fixture
def inspectors(county):
    return [make_inspector(f"insp{n}", COUNTY) for n in range(3)]


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_plan_api(client_for, admin_user, enterprise_a, enterprise_b, inspectors):
    client = client_for(admin_user)
    response = _post(
        client, f"{BASE}/plans", {"division": COUNTY, "year": 2027, "groups": [[inspectors[0].pk]]}
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_data"
    assert "members" in response.json()["fields"] and not InspectionPlan.objects.exists()
    response = _post(
        client,
        f"{BASE}/plans",
        {"division": COUNTY, "year": 2027, "groups": [[u.pk for u in inspectors[:2]]]},
    )
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["status"] == "draft" and plan["entry_count"] == 3 and len(plan["groups"]) == 1
    entries = client.get(f"{BASE}/plans/{plan['id']}/entries", {"enterprise_class": "key"}).json()
    assert entries["count"] == 2 and entries["items"][0]["reasons"] == ["flag:hazchem_production"]
    entry_id = entries["items"][0]["id"]
    for month in (0, 13):
        response = client.patch(
            f"{BASE}/entries/{entry_id}", {"month": month}, content_type="application/json"
        )
        assert response.status_code == 400 and "month" in response.json()["fields"]
        response = _post(
            client, f"{BASE}/plans/{plan['id']}/entries", {"enterprise": enterprise_b.pk, "month": month}
        )
        assert response.status_code == 400 and "month" in response.json()["fields"]
    assert PlanEntry.objects.count() == 3
    response = client.patch(f"{BASE}/entries/{entry_id}", {"month": 11}, content_type="application/json")
    assert response.status_code == 200 and response.json()["month"] == 11
    assert _post(client, f"{BASE}/plans/{plan['id']}/publish", {}).json()["status"] == "published"
    assert client.get(f"{BASE}/plans").json()["count"] == 1


def test_draw_api_errors_and_result(client_for, admin_user, enterprise_a, enterprise_b, inspectors):
    client = client_for(admin_user)
    response = _post(client, f"{BASE}/draws", {"division": COUNTY, "count": 3})
    assert response.status_code == 400 and "count" in response.json()["fields"]
    response = _post(
        client, f"{BASE}/draws", {"division": TOWN_A, "count": 1, "inspectors": [inspectors[0].pk]}
    )
    assert response.status_code == 400 and "inspectors" in response.json()["fields"]
    response = _post(client, f"{BASE}/draws", {"division": COUNTY, "count": 1, "industry": "99"})
    assert response.status_code == 400 and "pool" in response.json()["fields"]
    assert not RandomDraw.objects.exists()
    response = _post(client, f"{BASE}/draws", {"division": COUNTY, "count": 2, "seed": 2026})
    assert response.status_code == 201
    draw = response.json()
    assert draw["seed"] == 2026 and draw["verified"] and len(draw["results"]) == 2
    assert all(len(r["inspectors"]) == 2 for r in draw["results"])
    published = _post(client, f"{BASE}/draws/{draw['id']}/publish", {})
    assert published.json()["status"] == "published"
    assert _post(client, f"{BASE}/draws/{draw['id']}/publish", {}).status_code == 400


def test_conflict_api(client_for, admin_user, enterprise_a, inspectors):
    client = client_for(admin_user)
    response = _post(
        client, f"{BASE}/conflicts", {"inspector": inspectors[0].pk, "enterprise": enterprise_a.pk}
    )
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = _post(
        client,
        f"{BASE}/conflicts",
        {"inspector": inspectors[0].pk, "enterprise": enterprise_a.pk, "reason": "亲属"},
    )
    assert response.status_code == 201
    assert client.get(f"{BASE}/conflicts").json()["count"] == 1
    assert client.delete(f"{BASE}/conflicts/{response.json()['id']}").status_code == 204
    assert not ConflictOfInterest.objects.exists()


def test_classification_api(client_for, admin_user, staff_user, enterprise_a):
    staff = client_for(staff_user)
    data = staff.get(f"{BASE}/classification", {"enterprise": enterprise_a.pk}).json()
    assert data["own"] is False and data["enterprise"]["class"] == "key"
    response = staff.put(f"{BASE}/classification", {"flags": []}, content_type="application/json")
    assert response.status_code == 403
    admin = client_for(admin_user)
    response = admin.put(
        f"{BASE}/classification?division={COUNTY}", {"flags": ["bogus"]}, content_type="application/json"
    )
    assert response.status_code == 400 and "flags" in response.json()["fields"]
    response = admin.put(
        f"{BASE}/classification?division={COUNTY}", {"flags": []}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["own"] is True


def test_coverage_and_statistics_api(client_for, town_a_official, enterprise_a, enterprise_b):
    client = client_for(town_a_official)
    data = client.get(f"{BASE}/coverage", {"year": 2026}).json()
    assert [r["key"] for r in data["rows"]] == [TOWN_A] and data["total"]["uninspected"] == 1
    assert (
        client.get(f"{BASE}/coverage/uninspected", {"year": 2026}).json()["items"][0]["id"] == enterprise_a.pk
    )
    response = client.get(f"{BASE}/coverage", {"month": 13})
    assert response.status_code == 400 and "month" in response.json()["fields"]
    data = client.get(f"{BASE}/statistics", {"year": 2026, "quarter": 1, "group_by": "month"}).json()
    assert [r["key"] for r in data["rows"]] == ["2026-01", "2026-02", "2026-03"]
    response = client.get(f"{BASE}/statistics", {"quarter": 1, "month": 2})
    assert response.status_code == 400 and "month" in response.json()["fields"]
    assert client.get(f"{BASE}/plans").status_code == 403
