"""/api/v1/disaster-reports: the chain through the API, bad input, permissions, the xlsx."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A, VILLAGE_B, _user

from yingji.incidents.models_reports import DisasterEvent, DisasterReport, ReportVersion

API = "/api/v1/disaster-reports"


def post(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def village_official(county):
    return _user("village_a", "village_official", VILLAGE_A)


@pytest.fixture
def event_id(client_for, staff_user):
    client = client_for(staff_user)
    response = post(
        client,
        API,
        {"title": "台风", "hazard_type": "typhoon", "started_on": "2026-07-01", "division": COUNTY},
    )
    assert response.status_code == 201, response.content
    client.logout()
    return response.json()["id"]


def test_open_event_bad_input_writes_nothing(client_for, staff_user):
    client = client_for(staff_user)
    response = post(
        client, API, {"title": "x", "hazard_type": "volcano", "started_on": "2026-07-01", "division": COUNTY}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_data" and "hazard_type" in response.json()["fields"]
    assert not DisasterEvent.objects.exists()


def test_village_fills_town_reviews_and_export(
    client, client_for, event_id, village_official, town_a_official, staff_user
):
    c = client_for(village_official)
    report = post(c, f"{API}/{event_id}/reports", {"division": VILLAGE_A}).json()
    # negative figures and 成灾 > 受灾: field errors, nothing written
    bad = post(
        c,
        f"{API}/reports/{report['id']}/submit",
        {"stage": "initial", "figures": {"deaths": -2, "crop_affected_ha": 1, "crop_disaster_ha": 2}},
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"deaths", "crop_disaster_ha"}
    assert not ReportVersion.objects.exists()
    # a final before the initial
    bad = post(c, f"{API}/reports/{report['id']}/submit", {"stage": "final", "figures": {"deaths": 1}})
    assert bad.status_code == 400 and "stage" in bad.json()["fields"]
    assert DisasterReport.objects.get(pk=report["id"]).deaths is None
    ok = post(
        c,
        f"{API}/reports/{report['id']}/submit",
        {"stage": "initial", "figures": {"affected_population": 30, "deaths": 0}},
    )
    assert ok.status_code == 201
    version_id = ok.json()["id"]
    # the village cannot review its own submission
    assert post(c, f"{API}/versions/{version_id}/review", {"accept": True}).status_code == 400
    c.logout()
    t = client_for(town_a_official)
    assert post(t, f"{API}/versions/{version_id}/review", {"accept": True}).status_code == 200
    town_report = DisasterReport.objects.get(event_id=event_id, division_id=TOWN_A)
    detail = t.get(f"{API}/reports/{town_report.pk}").json()
    assert detail["lower_count"] == 1 and detail["lower_total"]["affected_population"] == 30
    response = t.get(f"{API}/{event_id}/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [sheet.cell(r, 1).value.strip() for r in range(6, sheet.max_row + 1)]
    assert names == ["甲镇", "甲村"]  # town A sees its own and its village, not town B
    assert sheet.cell(5, 4).value == "人"
    assert sheet.cell(7, 4).value == 30


def test_town_b_event_is_hidden_and_enterprise_user_forbidden(
    client_for, town_a_official, enterprise_a_user, staff_user, event_id
):
    c = client_for(town_a_official)
    assert c.get(f"{API}/{event_id}").status_code == 200  # the county's event is reported by its towns
    assert post(c, f"{API}/{event_id}/reports", {"division": VILLAGE_B}).status_code == 400
    assert not DisasterReport.objects.filter(division_id=VILLAGE_B).exists()
    c.logout()
    e = client_for(enterprise_a_user)
    assert e.get(API).status_code == 403


def test_leader_reads_but_cannot_submit(client_for, leader, event_id):
    c = client_for(leader)
    assert c.get(API).status_code == 200
    county = DisasterReport.objects.get(event_id=event_id, division_id=COUNTY)
    assert (
        post(
            c, f"{API}/reports/{county.pk}/submit", {"stage": "initial", "figures": {"deaths": 0}}
        ).status_code
        == 403
    )
    assert not ReportVersion.objects.exists()
