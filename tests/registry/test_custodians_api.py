"""/api/v1/custodian-duties: list, complete (with stable error codes), custodians of a source, scoping."""

from __future__ import annotations

import json

import pytest

from yingji.registry import services_custodians as services
from yingji.registry.models_sources import DutyTask, MajorHazardSource

URL = "/api/v1/custodian-duties"


@pytest.fixture
def staffed(enterprise_a, staff_user, enterprise_a_user):
    source = MajorHazardSource.objects.create(
        enterprise=enterprise_a,
        division_id=enterprise_a.division_id,
        name="液氯储罐区",
        is_major=True,
        grade=2,
    )
    entries = [
        {"role": "main", "name": "张三", "title": "总经理", "phone": "13812341234"},
        {"role": "technical", "name": "李工", "title": "技术总监", "phone": "13812341235"},
        {
            "role": "operational",
            "name": "王班长",
            "title": "车间主任",
            "phone": "13812341236",
            "user": enterprise_a_user,
        },
    ]
    services.set_custodians(source, actor=staff_user, entries=entries)
    return source


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_list_and_filters(client_for, staff_user, staffed):
    client = client_for(staff_user)
    data = client.get(URL).json()
    assert data["count"] == 3
    assert client.get(URL, {"role": "main"}).json()["count"] == 1
    assert client.get(URL, {"state": "missed"}).json()["count"] == 0
    response = client.get(URL, {"state": "late"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_filter"
    assert "state" in response.json()["fields"]


def test_scoping(client_for, town_b_official, enterprise_b_user, staffed):
    task = DutyTask.objects.filter(source=staffed).first()
    client = client_for(town_b_official)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}/{task.pk}").status_code == 404
    assert client.get(f"{URL}/sources/{staffed.pk}/custodians").status_code == 404
    client = client_for(enterprise_b_user)
    response = _post(client, f"{URL}/{task.pk}/complete", {"results": [], "note": "x"})
    assert response.status_code == 404


def test_complete(client_for, enterprise_a_user, staff_user, staffed):
    task = DutyTask.objects.get(source=staffed, role="operational")
    n = len(task.schedule.checklist)
    client = client_for(staff_user)
    assert _post(client, f"{URL}/{task.pk}/complete", {"note": "x"}).status_code == 403
    client = client_for(enterprise_a_user)
    response = _post(
        client, f"{URL}/{task.pk}/complete", {"results": [{"item": 0, "answer": "ok"}], "note": ""}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_data"
    assert "evidence_note" in body["fields"] and "item_1" in body["fields"]
    results = [{"item": i, "answer": "ok"} for i in range(n)]
    response = _post(client, f"{URL}/{task.pk}/complete", {"results": results, "note": "巡检完成"})
    assert response.status_code == 200 and response.json()["status"] == "done"
    response = _post(client, f"{URL}/{task.pk}/complete", {"results": results, "note": "again"})
    assert response.status_code == 409 and response.json()["code"] == "not_pending"


def test_custodians_of_a_source(client_for, town_a_official, staffed):
    data = client_for(town_a_official).get(f"{URL}/sources/{staffed.pk}/custodians").json()
    assert [c["role"] for c in data["custodians"]] == ["main", "technical", "operational"]
    assert data["custodians"][0]["name"] == "张三"
    assert data["custodians"][2]["duty"]["cadence_days"] == 7
