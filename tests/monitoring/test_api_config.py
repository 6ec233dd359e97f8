"""/api/v1/monitoring: devices, points (bad thresholds → 400 with fields), alarms and their actions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from yingji.monitoring.models import Alarm, AlarmEvent, Device, Point

API = "/api/v1/monitoring"


def make_alarm(point, *, severity=2, condition="high", state="active", minutes_ago=5):
    return Alarm.objects.create(
        point=point,
        device=point.device,
        enterprise=point.enterprise,
        source=point.source,
        division=point.division,
        condition=condition,
        severity=severity,
        state=state,
        is_open=state in ("active", "acknowledged"),
        value=55.0,
        threshold=50.0,
        raised_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


@pytest.fixture
def alarm(gas_point):
    return make_alarm(gas_point)


def test_device_create_returns_token_once(client_for, admin_user, enterprise_a, source_a):
    client = client_for(admin_user)
    response = client.post(
        f"{API}/devices",
        {"enterprise": enterprise_a.pk, "source": source_a.pk, "code": "D-1", "name": "采集器"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"] and body["has_token"] and body["division"] == enterprise_a.division_id
    shown = client.get(f"{API}/devices/{body['id']}").json()
    assert "token" not in shown and shown["points"] == []
    rotated = client.post(f"{API}/devices/{body['id']}/token").json()
    assert rotated["token"] != body["token"]


def test_device_bad_input(client_for, admin_user, enterprise_a, enterprise_b_user, device_a):
    client = client_for(admin_user)
    response = client.post(f"{API}/devices", {"code": "D-2", "name": "x"}, content_type="application/json")
    assert response.status_code == 400 and "enterprise" in response.json()["fields"]
    response = client.post(
        f"{API}/devices",
        {"enterprise": enterprise_a.pk, "code": device_a.code, "name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "code" in response.json()["fields"]
    response = client.post(
        f"{API}/devices",
        {"enterprise": enterprise_a.pk, "code": "D-3", "name": "x", "sampling_period_s": "often"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    other = client_for(enterprise_b_user)
    assert other.get(f"{API}/devices/{device_a.pk}").status_code == 404
    assert (
        other.patch(
            f"{API}/devices/{device_a.pk}", {"name": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_point_create_and_bad_thresholds(client_for, enterprise_a_user, device_a):
    client = client_for(enterprise_a_user)
    good = {
        "device": device_a.pk,
        "code": "PT-1",
        "name": "压力",
        "kind": "pressure",
        "unit": "MPa",
        "range_low": 0,
        "range_high": 4,
        "high1": 2.5,
        "high2": 3.0,
    }
    response = client.post(f"{API}/points", good, content_type="application/json")
    assert response.status_code == 201, response.content
    point = response.json()
    assert point["enterprise"] == device_a.enterprise_id and point["source"] == device_a.source_id
    for changes, field in (
        ({"high2": 2.0}, "high2"),
        ({"high1": 9.0}, "high1"),
        ({"low1": 2.8}, "low1"),
        ({"deadband": -1}, "deadband"),
    ):
        response = client.patch(f"{API}/points/{point['id']}", changes, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_data"
        assert field in response.json()["fields"], (changes, response.json())
    assert Point.objects.get(pk=point["id"]).high2 == 3.0
    response = client.post(
        f"{API}/points", {**good, "code": "PT-2", "device": 999999}, content_type="application/json"
    )
    assert response.status_code == 400 and "device" in response.json()["fields"]


def test_point_defaults(client_for, admin_user, device_a):
    client = client_for(admin_user)
    assert (
        client.get(f"{API}/points/defaults", {"kind": "toxic_gas", "name": "H2S"}).json()["defaults"]["high1"]
        == 6
    )
    response = client.post(
        f"{API}/points",
        {
            "device": device_a.pk,
            "code": "GT-9",
            "name": "可燃",
            "kind": "combustible_gas",
            "apply_defaults": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["high1"], response.json()["high2"], response.json()["unit"]) == (25, 50, "%LEL")


def test_lists_are_scoped(client_for, staff_user, town_b_official, gas_point, level_point, alarm):
    assert client_for(staff_user).get(f"{API}/points").json()["count"] == 2
    client = client_for(town_b_official)
    for path in ("/devices", "/points", "/alarms"):
        assert client.get(API + path).json()["count"] == 0
    assert client.get(f"{API}/alarms/{alarm.pk}").status_code == 404
    assert client.get(f"{API}/overview").json()["totals"]["devices"] == 0


def test_alarm_list_and_detail(client_for, duty_officer, gas_point, level_point, alarm):
    closed = make_alarm(level_point, severity=1, condition="low", state="handled", minutes_ago=1)
    client = client_for(duty_officer)
    items = client.get(f"{API}/alarms").json()["items"]
    assert [item["id"] for item in items] == [alarm.pk, closed.pk]  # open first
    assert items[0]["allowed_actions"][:2] == ["acknowledge", "handle"]
    assert client.get(f"{API}/alarms", {"open": "no"}).json()["count"] == 1
    assert client.get(f"{API}/alarms", {"severity": 7}).status_code == 400
    detail = client.get(f"{API}/alarms/{alarm.pk}").json()
    assert detail["events"] == [] and detail["state"] == "active"


def test_alarm_actions(client_for, duty_officer, leader, alarm):
    assert (
        client_for(leader)
        .post(f"{API}/alarms/{alarm.pk}/acknowledge", {}, content_type="application/json")
        .status_code
        == 403
    )
    client = client_for(duty_officer)
    response = client.post(
        f"{API}/alarms/{alarm.pk}/acknowledge", {"note": "看到了"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["state"] == "acknowledged"
    again = client.post(f"{API}/alarms/{alarm.pk}/acknowledge", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_acknowledged"
    empty = client.post(f"{API}/alarms/{alarm.pk}/handle", {"disposal": " "}, content_type="application/json")
    assert empty.status_code == 400 and "disposal" in empty.json()["fields"]
    done = client.post(
        f"{API}/alarms/{alarm.pk}/handle", {"disposal": "关阀检修"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["state"] == "handled" and not done.json()["is_open"]
    assert AlarmEvent.objects.filter(alarm=alarm).count() >= 2


def test_alarm_to_hazard(client_for, admin_user, alarm):
    response = client_for(admin_user).post(f"{API}/alarms/{alarm.pk}/hazard")
    assert response.status_code == 201, response.content
    assert Alarm.objects.get(pk=alarm.pk).hazard_id == response.json()["hazard"]
    again = client_for(admin_user).post(f"{API}/alarms/{alarm.pk}/hazard")
    assert again.status_code == 409


def test_overview_counts(client_for, staff_user, device_a, gas_point, alarm):
    Device.objects.filter(pk=device_a.pk).update(is_online=True)
    body = client_for(staff_user).get(f"{API}/overview").json()
    assert body["totals"]["devices"] == 1 and body["totals"]["online"] == 1
    assert body["totals"]["open_alarms"] == 1 and body["totals"]["red_alarms"] == 1  # two-level level 2
    (row,) = body["enterprises"]
    assert row["worst_severity"] == 2 and row["sources"] == [device_a.source_id]
