"""The monitoring pages render, are scoped, and send bad input back to the form."""

from __future__ import annotations

import re

import pytest
from tests.monitoring.test_api_config import make_alarm

from yingji.monitoring.models import Alarm, Device, Point


@pytest.fixture
def alarm(gas_point):
    return make_alarm(gas_point)


def test_overview(client_for, staff_user, device_a, gas_point, alarm):
    response = client_for(staff_user).get("/monitoring/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="open_alarms"' in html
    assert f'data-enterprise="{device_a.enterprise_id}" data-worst="2"' in html
    assert f"/monitoring/sources/{device_a.source_id}/" in html


def test_overview_needs_login(client, county):
    assert client.get("/monitoring/").status_code == 302  # to the login page


def test_source_and_trend_pages(
    client_for, enterprise_a_user, town_b_official, source_a, gas_point, level_point, alarm
):
    client = client_for(enterprise_a_user)
    html = client.get(f"/monitoring/sources/{source_a.pk}/").content.decode()
    assert (
        f'data-point="{gas_point.pk}" data-worst="2"' in html
        and f'data-point="{level_point.pk}" data-worst="0"' in html
    )
    html = client.get(f"/monitoring/points/{gas_point.pk}/").content.decode()
    assert 'id="trend-chart"' in html and f"/api/v1/monitoring/points/{gas_point.pk}/series" in html
    assert "echarts.min.js" in html and 'data-threshold="high2"' in html
    other = client_for(town_b_official)
    assert other.get(f"/monitoring/sources/{source_a.pk}/").status_code == 404
    assert other.get(f"/monitoring/points/{gas_point.pk}/").status_code == 404


def test_device_pages_and_token_shown_once(client_for, admin_user, enterprise_a, source_a, device_a):
    client = client_for(admin_user)
    assert client.get("/monitoring/devices/").status_code == 200
    assert client.get(f"/monitoring/devices/{device_a.pk}/").status_code == 200
    assert client.get("/monitoring/devices/add/").status_code == 200
    response = client.post(
        "/monitoring/devices/add/",
        {
            "enterprise": enterprise_a.pk,
            "source": source_a.pk,
            "code": "NEW-1",
            "name": "新采集器",
            "sampling_period_s": 10,
            "offline_after_periods": 6,
            "is_active": "on",
        },
    )
    assert response.status_code == 201
    token = re.search(r'data-token="([^"]+)"', response.content.decode()).group(1)
    device = Device.objects.get(code="NEW-1")
    assert token and token not in client.get(f"/monitoring/devices/{device.pk}/").content.decode()
    rotated = client.post(f"/monitoring/devices/{device.pk}/token/")
    assert rotated.status_code == 200 and token not in rotated.content.decode()
    bad = client.post(
        "/monitoring/devices/add/",
        {
            "enterprise": enterprise_a.pk,
            "code": "NEW-1",
            "name": "",
            "sampling_period_s": 10,
            "offline_after_periods": 6,
        },
    )
    assert bad.status_code == 400 and 'data-field="code"' in bad.content.decode()


def test_point_form_bad_thresholds_and_defaults(client_for, enterprise_a_user, device_a, gas_point):
    client = client_for(enterprise_a_user)
    assert client.get(f"/monitoring/devices/{device_a.pk}/points/add/").status_code == 200
    data = {
        "code": "GT-2",
        "name": "可燃气体 GT-2",
        "kind": "combustible_gas",
        "unit": "%LEL",
        "range_low": 0,
        "range_high": 100,
        "scheme": "two_level",
        "direction": "high",
        "high1": 60,
        "high2": 50,
        "deadband": 2,
        "on_delay_s": 0,
        "off_delay_s": 0,
        "is_active": "on",
    }
    bad = client.post(f"/monitoring/devices/{device_a.pk}/points/add/", data)
    assert bad.status_code == 400 and 'data-field="high2"' in bad.content.decode()
    assert not Point.objects.filter(code="GT-2").exists()
    defaults = client.post(f"/monitoring/devices/{device_a.pk}/points/add/", {**data, "apply_defaults": "1"})
    assert defaults.status_code == 200
    assert re.search(r'name="high1"[^>]*value="25', defaults.content.decode())
    good = client.post(f"/monitoring/devices/{device_a.pk}/points/add/", {**data, "high1": 25})
    assert good.status_code == 302
    point = Point.objects.get(code="GT-2")
    assert good["Location"] == f"/monitoring/points/{point.pk}/"
    edit = client.post(f"/monitoring/points/{point.pk}/edit/", {**data, "high1": 25, "deadband": 30})
    assert edit.status_code == 400 and 'data-field="deadband"' in edit.content.decode()


def test_config_pages_refused(client_for, leader, enterprise_b_user, device_a, gas_point):
    assert client_for(leader).get(f"/monitoring/devices/{device_a.pk}/edit/").status_code == 403
    assert client_for(leader).get(f"/monitoring/points/{gas_point.pk}/edit/").status_code == 403
    other = client_for(enterprise_b_user)
    assert other.get(f"/monitoring/devices/{device_a.pk}/").status_code == 404
    assert other.get(f"/monitoring/devices/{device_a.pk}/points/add/").status_code == 404
    assert other.post(f"/monitoring/points/{gas_point.pk}/edit/", {}).status_code == 404


def test_console(client_for, duty_officer, town_b_official, gas_point, level_point, alarm):
    make_alarm(level_point, severity=1, condition="low", state="cleared", minutes_ago=1)
    client = client_for(duty_officer)
    html = client.get("/monitoring/alarms/").content.decode()
    assert 'id="alert-toggle"' in html and 'hx-trigger="every 5s"' in html and "console.js" in html
    rows = re.findall(r'data-alarm-id="(\d+)" data-red="(\d)"', html)
    assert rows[0] == (str(alarm.pk), "1")  # open first, and red (two-level level 2)
    partial = client.get("/monitoring/alarms/", {"partial": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and f'data-alarm-id="{alarm.pk}"' in partial
    filtered = client.get("/monitoring/alarms/", {"state": "cleared"}).content.decode()
    assert f'data-alarm-id="{alarm.pk}"' not in filtered
    assert (
        client.get("/monitoring/alarms/", {"severity": "9"}).status_code == 200
    )  # invalid filter: empty list
    assert client_for(town_b_official).get(f"/monitoring/alarms/{alarm.pk}/").status_code == 404


def test_alarm_actions_from_the_pages(client_for, duty_officer, leader, alarm):
    assert client_for(leader).post(f"/monitoring/alarms/{alarm.pk}/acknowledge/").status_code == 403
    client = client_for(duty_officer)
    response = client.post(
        f"/monitoring/alarms/{alarm.pk}/acknowledge/",
        {"acknowledge-note": "收到", "next": "/monitoring/alarms/"},
    )
    assert response.status_code == 302 and response["Location"] == "/monitoring/alarms/"
    again = client.post(f"/monitoring/alarms/{alarm.pk}/acknowledge/")
    assert again.status_code == 409 and 'data-code="already_acknowledged"' in again.content.decode()
    empty = client.post(f"/monitoring/alarms/{alarm.pk}/handle/", {"handle-disposal": ""})
    assert empty.status_code == 400 and 'data-field="disposal"' in empty.content.decode()
    assert client.post(f"/monitoring/alarms/{alarm.pk}/unknown/").status_code == 404
    outside = client.post(
        f"/monitoring/alarms/{alarm.pk}/handle/", {"handle-disposal": "关阀", "next": "https://evil.example/"}
    )
    assert outside.status_code == 302 and outside["Location"] == f"/monitoring/alarms/{alarm.pk}/"
    assert Alarm.objects.get(pk=alarm.pk).state == "handled"
    detail = client.get(f"/monitoring/alarms/{alarm.pk}/").content.decode()
    assert 'data-state="handled"' in detail and 'data-event="acknowledged"' in detail


def test_quality_panel(client_for, duty_officer, town_b_official, gas_point, level_point):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    for minutes in range(12):  # a flood: 12 alarms in 6 minutes, alternately on two points
        point = gas_point if minutes % 2 else level_point
        make_alarm(
            point, condition="high" if minutes % 4 < 2 else "low", state="cleared", minutes_ago=minutes / 2
        )
    client = client_for(duty_officer)
    window = {
        "start": (now - datetime.timedelta(minutes=10)).isoformat(),
        "end": (now + datetime.timedelta(minutes=1)).isoformat(),
    }
    response = client.get("/monitoring/quality/", window)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-band="excessive"' in html  # 12 alarms in 11 minutes for one duty officer
    assert 'data-band="target"' in client.get("/monitoring/quality/").content.decode()  # over the last day
    assert f'<tr data-point="{gas_point.pk}">' in html
    start = (now - datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.get("/monitoring/quality/", {"start": start, "end": "nonsense"}).status_code == 200
    body = client.get("/api/v1/monitoring/quality").json()
    assert body["alarms"] == 12 and body["peak_10_min"] == 12 and len(body["floods"]) == 1
    assert client_for(town_b_official).get("/api/v1/monitoring/quality").json()["alarms"] == 0
