"""/api/v1/alerts/warnings: the same checks as the pages, errors as {code, message, fields}."""

from __future__ import annotations

import datetime

from django.utils import timezone
from tests.alerts.test_warning_pages import POLYGON, make_warning
from tests.conftest import COUNTY, TOWN_A, TOWN_B

from yingji.alerts import services
from yingji.alerts.models import Warning

BASE = "/api/v1/alerts/warnings"


def payload(**changes) -> dict:
    now = timezone.now()
    data = {
        "division": COUNTY,
        "source": "met",
        "event_type": "rainstorm",
        "level": "red",
        "headline": "暴雨红色预警",
        "instruction": "立即转移。",
        "onset": now.isoformat(),
        "expires": (now + datetime.timedelta(hours=6)).isoformat(),
        "area_divisions": [TOWN_A],
        "polygons": [POLYGON],
    }
    data.update(changes)
    return data


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_create_approve_issue_update_cancel(client_for, admin_user, second_approver, county):
    client = client_for(admin_user)
    response = post(client, BASE, payload())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "draft" and body["severity"] == "Extreme"  # default from the level
    assert body["areas"][0]["polygons"] == [POLYGON + [POLYGON[0]]]
    assert "approve" not in body["allowed_actions"]  # the drafter
    warning_id = body["id"]

    response = post(client, f"{BASE}/{warning_id}/approve")
    assert response.status_code == 409
    assert response.json()["code"] == "same_person" and "approved_by" in response.json()["fields"]
    assert post(client, f"{BASE}/{warning_id}/issue").json()["code"] == "approval_required"
    assert Warning.objects.get(pk=warning_id).status == "draft"

    response = post(client_for(second_approver), f"{BASE}/{warning_id}/approve")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    client = client_for(admin_user)
    response = post(client, f"{BASE}/{warning_id}/issue")
    assert response.status_code == 200 and response.json()["status"] == "issued"
    response = post(client, f"{BASE}/{warning_id}/update", payload(level="orange", severity="Extreme"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "updated" and body["level"] == "orange" and body["severity"] == "Extreme"
    assert [m["msg_type"] for m in body["messages"]] == ["Alert", "Update"]
    response = post(client, f"{BASE}/{warning_id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"

    listing = client.get(BASE, {"status": "cancelled"}).json()
    assert [item["id"] for item in listing["items"]] == [warning_id]
    assert client.get(f"{BASE}/{warning_id}").json()["messages"][-1]["msg_type"] == "Cancel"


def test_bad_inputs_name_the_field(client_for, admin_user, county):
    client = client_for(admin_user)
    now = timezone.now()
    cases = [
        (payload(expires=(now - datetime.timedelta(hours=1)).isoformat(), onset=now.isoformat()), "expires"),
        (payload(polygons=[[[32.0, 120.8], [32.1, 120.9]]]), "polygons"),
        (payload(polygons=[], area_divisions=[]), "area_divisions"),
        (payload(division=TOWN_B[:9] + "777"), "division"),
        (payload(level="purple"), "level"),
    ]
    for data, field in cases:
        response = post(client, BASE, data)
        assert response.status_code == 400, data
        body = response.json()
        assert body["code"] == "invalid_data" and field in body["fields"], body
        assert set(body) == {"code", "message", "fields"}
    assert not Warning.objects.exists()
    response = post(client, BASE, {"headline": "no level"})
    assert response.status_code == 400 and "level" in response.json()["fields"]
    response = post(client, BASE, payload(onset="not a time"))
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"


def test_issuing_an_expired_warning_is_a_409_on_expires(client_for, admin_user, county):
    warning = make_warning(admin_user, level="blue", expires_in=datetime.timedelta(minutes=-5))
    response = post(client_for(admin_user), f"{BASE}/{warning.pk}/issue")
    assert response.status_code == 409
    assert response.json()["code"] == "expired" and "expires" in response.json()["fields"]
    assert Warning.objects.get(pk=warning.pk).status == "draft"


def test_update_draft(client_for, admin_user, county):
    warning = make_warning(admin_user, level="blue")
    client = client_for(admin_user)
    response = client.put(f"{BASE}/{warning.pk}", payload(level="yellow"), content_type="application/json")
    assert response.status_code == 200 and response.json()["level"] == "yellow"
    response = client.put(
        f"{BASE}/{warning.pk}", payload(polygons=[[[1, 2]]]), content_type="application/json"
    )
    assert response.status_code == 400 and "polygons" in response.json()["fields"]
    assert Warning.objects.get(pk=warning.pk).level == "yellow"


def test_scoping(client_for, admin_user, town_a_official, town_b_official, enterprise_a_user, county):
    town_b = services.issue(make_warning(admin_user, division=TOWN_B, level="blue"), actor=admin_user)
    client = client_for(town_a_official)
    assert client.get(f"{BASE}/{town_b.pk}").status_code == 404
    assert town_b.pk not in [item["id"] for item in client.get(BASE).json()["items"]]
    assert post(client, f"{BASE}/{town_b.pk}/cancel").status_code == 404
    assert post(client, BASE, payload(division=TOWN_A)).status_code == 403
    client = client_for(town_b_official)
    assert client.get(f"{BASE}/{town_b.pk}").status_code == 200
    assert post(client, f"{BASE}/{town_b.pk}/cancel").status_code == 403  # no permission to act
    client = client_for(enterprise_a_user)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}/{town_b.pk}").status_code == 403
    assert Warning.objects.get(pk=town_b.pk).status == "issued"
