"""/api/v1/risk: lists with filters, detail with the computation, 400 on bad factors, scoping."""

from __future__ import annotations

import json

from yingji.risk.models import ControlMeasure, EnterpriseRisk, Post, RiskPoint, RiskUnit


def post_json(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_points_list_filters_and_detail_shows_the_computation(client_for, staff_user, point_a, point_b):
    client = client_for(staff_user)
    listed = client.get("/api/v1/risk/points").json()
    assert listed["count"] == 2
    major = client.get("/api/v1/risk/points", {"level": "major"}).json()["items"]
    assert [p["id"] for p in major] == [point_b.pk]
    assert major[0]["colour"] == "red"
    town_a = client.get("/api/v1/risk/points", {"division": "329901001000"}).json()["items"]
    assert [p["id"] for p in town_a] == [point_a.pk]
    assert client.get("/api/v1/risk/points", {"level": "extreme"}).json()["code"] == "invalid_filter"
    detail = client.get(f"/api/v1/risk/points/{point_a.pk}").json()
    assert detail["assessment"]["score"] == 126
    assert detail["assessment"]["formula"] == "D = L × E × C = 3 × 6 × 7 = 126"
    assert [row["condition"] for row in detail["assessment"]["mapping"]][1] == "70 < D ≤ 160"
    assert len(detail["measures"]) == 2


def test_create_and_update_a_point(client_for, enterprise_a_user, unit_a):
    client = client_for(enterprise_a_user)
    body = {
        "unit": unit_a.pk,
        "name": "反应釜",
        "kind": "equipment",
        "method": "lec",
        "lec_l": 6,
        "lec_e": 6,
        "lec_c": 15,
    }
    response = post_json(client, "/api/v1/risk/points", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["score"], data["level"]) == (540, "major")
    response = post_json(client, f"/api/v1/risk/points/{data['id']}", {"lec_c": 1}, method="patch")
    assert response.status_code == 200
    assert (response.json()["score"], response.json()["level"]) == (36, "low")
    assert EnterpriseRisk.objects.get(enterprise=unit_a.enterprise).level == "low"


def test_bad_factor_values_answer_400_and_change_nothing(client_for, staff_user, unit_a, point_a):
    client = client_for(staff_user)
    count = RiskPoint.objects.count()
    for body, field in [
        ({"method": "lec", "lec_l": 4, "lec_e": 6, "lec_c": 7}, "lec_l"),
        ({"method": "lec", "lec_l": 3, "lec_e": 6}, "lec_c"),
        ({"method": "ls", "ls_l": 6, "ls_s": 2}, "ls_l"),
        ({"method": "ls", "ls_l": 2, "ls_s": "x"}, "ls_s"),
    ]:
        response = post_json(
            client, "/api/v1/risk/points", {"unit": unit_a.pk, "name": "坏", "kind": "place", **body}
        )
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid_data"
        assert field in response.json()["fields"], body
    assert RiskPoint.objects.count() == count
    before = RiskPoint.objects.filter(pk=point_a.pk).values().get()
    response = post_json(client, f"/api/v1/risk/points/{point_a.pk}", {"lec_e": 9}, method="patch")
    assert response.status_code == 400 and "lec_e" in response.json()["fields"]
    assert RiskPoint.objects.filter(pk=point_a.pk).values().get() == before


def test_units_measures_and_posts(client_for, enterprise_a_user, enterprise_a, point_a):
    client = client_for(enterprise_a_user)
    unit = post_json(client, "/api/v1/risk/units", {"enterprise": enterprise_a.pk, "name": "锅炉房"})
    assert unit.status_code == 201
    assert RiskUnit.objects.filter(name="锅炉房", enterprise=enterprise_a).exists()
    assert post_json(client, "/api/v1/risk/units", {"name": "无企业"}).status_code == 400
    measure = post_json(
        client,
        f"/api/v1/risk/points/{point_a.pk}/measures",
        {
            "measure_type": "training",
            "control_level": "company",
            "description": "三级安全教育",
            "responsible_person": "周九",
        },
    )
    assert measure.status_code == 201
    measure_id = measure.json()["id"]
    assert len(client.get(f"/api/v1/risk/points/{point_a.pk}/measures").json()["items"]) == 3
    bad = post_json(
        client, f"/api/v1/risk/measures/{measure_id}", {"responsible_phone": "12"}, method="patch"
    )
    assert bad.status_code == 400 and "responsible_phone" in bad.json()["fields"]
    assert client.delete(f"/api/v1/risk/measures/{measure_id}").status_code == 204
    assert not ControlMeasure.objects.filter(pk=measure_id).exists()
    post = post_json(
        client,
        "/api/v1/risk/posts",
        {"enterprise": enterprise_a.pk, "name": "巡检工", "risk_points": [point_a.pk]},
    )
    assert post.status_code == 201 and post.json()["risk_points"] == [point_a.pk]
    changed = post_json(
        client, f"/api/v1/risk/posts/{post.json()['id']}", {"risk_points": []}, method="patch"
    )
    assert changed.status_code == 200 and changed.json()["risk_points"] == []
    assert client.get("/api/v1/risk/posts").json()["count"] == Post.objects.count()


def test_enterprise_risk_endpoint(client_for, town_a_official, enterprise_a, enterprise_b, point_a, point_b):
    client = client_for(town_a_official)
    data = client.get(f"/api/v1/risk/enterprises/{enterprise_a.pk}").json()
    assert data["level"] == "general"
    assert data["counts"] == {"low": 0, "general": 1, "significant": 0, "major": 0}
    assert client.get(f"/api/v1/risk/enterprises/{enterprise_b.pk}").status_code == 404


def test_scoping_and_permissions(client_for, enterprise_b_user, leader, town_b_official, point_a, unit_a):
    client = client_for(enterprise_b_user)
    assert client.get("/api/v1/risk/points").json()["count"] == 0
    assert client.get(f"/api/v1/risk/points/{point_a.pk}").status_code == 404
    assert client.delete(f"/api/v1/risk/points/{point_a.pk}").status_code == 404
    body = {"unit": unit_a.pk, "name": "越权", "kind": "place", "method": "ls", "ls_l": 1, "ls_s": 1}
    response = post_json(client, "/api/v1/risk/points", body)
    assert response.status_code == 400 and "unit" in response.json()["fields"]
    assert client_for(town_b_official).get(f"/api/v1/risk/points/{point_a.pk}").status_code == 404
    leader_client = client_for(leader)
    assert leader_client.get(f"/api/v1/risk/points/{point_a.pk}").status_code == 200
    assert post_json(leader_client, "/api/v1/risk/points", {"name": "x"}).status_code == 403
    assert leader_client.delete(f"/api/v1/risk/points/{point_a.pk}").status_code == 403
    assert RiskPoint.objects.filter(pk=point_a.pk).exists()
    assert not RiskPoint.objects.filter(name="越权").exists()
