"""/api/v1/incidents and the incident pages: intake, list, detail, grade, timeline; roles and scope."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.conftest import VILLAGE_A, VILLAGE_B, _user

from yingji.incidents import services_incidents as services
from yingji.incidents.models import Incident, TimelineEntry

URL = "/api/v1/incidents"


def payload(**overrides):
    data = {
        "kind": "accident",
        "subtype": "work_safety",
        "title": "甲村厂房坍塌",
        "occurred_at": (timezone.now() - datetime.timedelta(minutes=30)).isoformat(),
        "division": VILLAGE_A,
        "channel": "transfer_119",
        "deaths": 3,
        "latitude": 32.0,
        "longitude": 120.9,
    }
    data.update(overrides)
    return data


def post(client, data, url=URL):
    return client.post(url, data, content_type="application/json")


def test_intake_grades_and_lists(client_for, staff_user):
    client = client_for(staff_user)
    response = post(client, payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grade"] == "larger" and body["grade_decided_by"]
    assert body["report_duties"][0]["kind"] == "initial"
    listed = client.get(URL, {"grade": "larger"}).json()
    assert listed["count"] == 1
    grade = client.get(f"{URL}/{body['id']}/grade").json()
    assert grade["grade"] == "larger"
    regraded = post(client, {"deaths": 12}, f"{URL}/{body['id']}/grade").json()
    assert regraded["grade"] == "major"
    timeline = client.get(f"{URL}/{body['id']}/timeline", {"page_size": 1}).json()
    assert timeline["count"] == 2 and timeline["items"][0]["kind"] == "casualties"


def test_negative_casualties_400(client_for, staff_user):
    response = post(client_for(staff_user), payload(missing=-1))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_data" and "missing" in response.json()["fields"]
    assert Incident.objects.count() == 0 and TimelineEntry.objects.count() == 0


def test_outside_jurisdiction_400(client_for, town_a_official):
    response = post(client_for(town_a_official), payload(division=VILLAGE_B))
    assert response.status_code == 400
    assert "division" in response.json()["fields"]
    assert Incident.objects.count() == 0


def test_regrade_negative_400_nothing_written(client_for, staff_user):
    client = client_for(staff_user)
    pk = post(client, payload()).json()["id"]
    response = post(client, {"deaths": -3}, f"{URL}/{pk}/grade")
    assert response.status_code == 400 and "deaths" in response.json()["fields"]
    assert Incident.objects.get(pk=pk).deaths == 3
    assert TimelineEntry.objects.filter(incident_id=pk).count() == 1


def test_duty_done(client_for, staff_user):
    client = client_for(staff_user)
    body = post(client, payload()).json()
    duty = body["report_duties"][0]["id"]
    response = post(client, {"note": "已报"}, f"{URL}/{body['id']}/duties/{duty}/done")
    assert response.status_code == 200 and response.json()["done_at"]


def test_roles(client_for, county, enterprise_a, town_b_official, leader):
    village = _user("village_a", "village_official", VILLAGE_A)
    client = client_for(village)
    assert post(client, payload(deaths=0)).status_code == 201
    assert client.get(URL).status_code == 403
    client = client_for(town_b_official)
    assert client.get(URL).json()["count"] == 0
    pk = Incident.objects.get().pk
    assert client.get(f"{URL}/{pk}").status_code == 404
    client = client_for(leader)
    assert client.get(f"{URL}/{pk}").status_code == 200
    assert post(client, payload()).status_code == 403


def test_enterprise_user_sees_own_only(client_for, enterprise_a_user, staff_user, enterprise_b):
    services.report_incident(
        actor=staff_user,
        kind="accident",
        subtype="fire",
        title="乙厂火灾",
        occurred_at=timezone.now(),
        enterprise=enterprise_b,
        channel="transfer_119",
    )
    client = client_for(enterprise_a_user)
    response = post(client, payload(division="", deaths=0))
    assert response.status_code == 201 and response.json()["enterprise"] == enterprise_a_user.enterprise_id
    assert client.get(URL).json()["count"] == 1
    response = post(client, payload(division="", enterprise=enterprise_b.pk))
    assert response.status_code == 400 and "enterprise" in response.json()["fields"]


# -- pages ------------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "kind": "accident",
        "subtype": "work_safety",
        "title": "甲村厂房坍塌",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone_12350",
        "division": VILLAGE_A,
        "deaths": "3",
        "missing": "0",
        "serious_injuries": "0",
        "trapped": "0",
        "direct_loss_yuan": "0",
        "latitude": "32.0",
        "longitude": "120.9",
    }
    data.update(overrides)
    return data


def test_pages(client_for, staff_user):
    client = client_for(staff_user)
    assert client.get(reverse("incidents:incident_add")).status_code == 200
    response = client.post(reverse("incidents:incident_add"), form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert incident.grade == "larger"
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk]))
    assert page.status_code == 200 and b'data-grade="larger"' in page.content
    assert client.get(reverse("incidents:incident_list")).status_code == 200
    response = client.post(
        reverse("incidents:incident_numbers", args=[incident.pk]),
        {"deaths": "10", "missing": "0", "serious_injuries": "0", "trapped": "0", "direct_loss_yuan": "0"},
    )
    assert response.status_code == 302
    assert Incident.objects.get().grade == "major"
    response = client.post(
        reverse("incidents:incident_numbers", args=[incident.pk]),
        {"deaths": "-1", "missing": "0", "serious_injuries": "0", "trapped": "0", "direct_loss_yuan": "0"},
    )
    assert response.status_code == 400 and b'data-field="deaths"' in response.content
    timeline = client.get(reverse("incidents:incident_timeline", args=[incident.pk]))
    assert timeline.status_code == 200 and b'data-count="2"' in timeline.content
    response = client.post(reverse("incidents:incident_timeline", args=[incident.pk]), {"text": "现场封控"})
    assert response.status_code == 302
    assert TimelineEntry.objects.filter(automatic=False).count() == 1
    docx = client.get(reverse("incidents:incident_sitrep", args=[incident.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    printed = client.get(reverse("incidents:incident_sitrep_print", args=[incident.pk]))
    assert printed.status_code == 200 and b'id="sitrep-timeline"' in printed.content


@pytest.mark.parametrize("bad", [{"deaths": "-1"}, {"division": VILLAGE_B}])
def test_page_bad_input(client_for, town_a_official, bad):
    response = client_for(town_a_official).post(reverse("incidents:incident_add"), form_data(**bad))
    assert response.status_code == 400
    assert Incident.objects.count() == 0
