"""/api/v1/incidents/response and the response pages: open, dispatch (409 team_busy), status,
supplies (400 above stock, nothing written), shelter, manual entry, close (400 with open dispatches)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from tests.conftest import COUNTY, TOWN_A, TOWN_B
from tests.incidents.scoping_incidents import make_plan, make_shelter, make_stock, make_team
from tests.incidents.test_response_services import accident

from yingji.incidents.models import Dispatch, Incident, Response, SupplyRequest, TimelineEntry
from yingji.resources.models import Stock, Team

URL = "/api/v1/incidents/response"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def setup(staff_user):
    plan, level = make_plan(staff_user, COUNTY)
    incident = accident(staff_user)
    team = make_team("县消防救援大队", TOWN_A, 32.01, 120.91)
    stock = make_stock(staff_user, TOWN_A, 10)
    return {"plan": plan, "level": level, "incident": incident, "team": team, "stock": stock}


def test_api_journey(client_for, staff_user, setup):
    client = client_for(staff_user)
    response = post(client, URL, {"incident": setup["incident"].pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["plan"] == setup["plan"].pk and body["level_code"] == "III" and body["assignments"]
    rid = body["id"]
    assert post(client, URL, {"incident": setup["incident"].pk}).json()["code"] == "response_exists"
    dispatched = post(client, f"{URL}/{rid}/dispatches", {"team": setup["team"].pk})
    assert dispatched.status_code == 201 and dispatched.json()["status"] == "dispatched"
    did = dispatched.json()["id"]
    supply = post(client, f"{URL}/{rid}/supplies", {"stock": setup["stock"].pk, "quantity": "3"})
    assert supply.status_code == 201 and supply.json()["balance"] == "7.00"
    shelter = make_shelter(TOWN_A)
    assert post(client, f"{URL}/{rid}/shelters", {"shelter": shelter.pk, "occupancy": 5}).status_code == 200
    assert post(client, f"{URL}/{rid}/timeline", {"text": "现场指挥部设立"}).status_code == 201
    closing = post(client, f"{URL}/{rid}/close", {"outcome": "处置完毕"})
    assert closing.status_code == 400 and "dispatches" in closing.json()["fields"]
    assert Response.objects.get().status == "open"
    for status in ("en_route", "on_scene", "returned"):
        moved = post(client, f"{URL}/dispatches/{did}/status", {"status": status})
        assert moved.status_code == 200 and moved.json()["status"] == status
    assert post(client, f"{URL}/{rid}/close", {"outcome": "处置完毕"}).json()["status"] == "closed"
    assert Incident.objects.get().status == "closed"
    kinds = set(TimelineEntry.objects.values_list("kind", flat=True))
    assert {"intake", "response", "assignment", "dispatch", "supply", "shelter", "note", "close"} <= kinds
    detail = client.get(f"{URL}/{rid}").json()
    assert len(detail["dispatches"]) == 1 and len(detail["supplies"]) == 1


def test_busy_team_409(client_for, staff_user, setup):
    client = client_for(staff_user)
    rid = post(client, URL, {"incident": setup["incident"].pk}).json()["id"]
    assert post(client, f"{URL}/{rid}/dispatches", {"team": setup["team"].pk}).status_code == 201
    other = accident(staff_user)
    other_rid = post(client, URL, {"incident": other.pk}).json()["id"]
    refused = post(client, f"{URL}/{other_rid}/dispatches", {"team": setup["team"].pk})
    assert refused.status_code == 409 and refused.json()["code"] == "team_busy"
    assert Dispatch.objects.count() == 1
    assert Team.objects.get().status == "dispatched"


def test_above_stock_400_nothing_written(client_for, staff_user, setup):
    client = client_for(staff_user)
    rid = post(client, URL, {"incident": setup["incident"].pk}).json()["id"]
    entries = TimelineEntry.objects.count()
    refused = post(client, f"{URL}/{rid}/supplies", {"stock": setup["stock"].pk, "quantity": "10.01"})
    assert refused.status_code == 400 and "quantity" in refused.json()["fields"]
    assert Stock.objects.get().quantity == Decimal("10")
    assert not SupplyRequest.objects.exists() and TimelineEntry.objects.count() == entries


def test_scope_and_roles(client_for, staff_user, setup, town_b_official, leader):
    client = client_for(staff_user)
    rid = post(client, URL, {"incident": setup["incident"].pk}).json()["id"]
    other_team = make_team("乙镇救援队", TOWN_B, 32.1, 121.0)
    client = client_for(town_b_official)
    assert client.get(f"{URL}/{rid}").status_code == 404
    assert post(client, f"{URL}/{rid}/dispatches", {"team": other_team.pk}).status_code == 403
    client = client_for(leader)
    assert client.get(f"{URL}/{rid}").status_code == 200
    assert post(client, f"{URL}/{rid}/dispatches", {"team": setup["team"].pk}).status_code == 403
    assert Dispatch.objects.count() == 0


def test_pages(client_for, staff_user, setup):
    client = client_for(staff_user)
    incident = setup["incident"]
    page = client.get(reverse("incidents:incident_respond", args=[incident.pk]))
    assert page.status_code == 200 and f'data-plan="{setup["plan"].pk}"'.encode() in page.content
    opened = client.post(reverse("incidents:incident_respond", args=[incident.pk]), {"choice": "0"})
    assert opened.status_code == 302
    response = Response.objects.get()
    detail = client.get(reverse("incidents:response_detail", args=[response.pk]))
    assert detail.status_code == 200 and f'data-dispatch-team="{setup["team"].pk}"'.encode() in detail.content
    assert client.get(reverse("incidents:response_list")).status_code == 200
    sent = client.post(reverse("incidents:response_dispatch", args=[response.pk]), {"team": setup["team"].pk})
    assert sent.status_code == 302
    other = accident(staff_user)
    client.post(reverse("incidents:incident_respond", args=[other.pk]), {"choice": "none"})
    other_response = Response.objects.get(incident=other)
    busy = client.post(
        reverse("incidents:response_dispatch", args=[other_response.pk]), {"team": setup["team"].pk}
    )
    assert busy.status_code == 409 and b'data-code="team_busy"' in busy.content
    above = client.post(
        reverse("incidents:response_supply", args=[response.pk]),
        {"stock": setup["stock"].pk, "quantity": "11"},
    )
    assert above.status_code == 400 and Stock.objects.get().quantity == Decimal("10")
    closing = client.post(reverse("incidents:response_close", args=[response.pk]), {"outcome": "完毕"})
    assert closing.status_code == 400 and Response.objects.get(pk=response.pk).status == "open"
    dispatch = Dispatch.objects.get()
    moved = client.post(reverse("incidents:dispatch_status", args=[dispatch.pk]), {"status": "returned"})
    assert moved.status_code == 302
    assert (
        client.post(reverse("incidents:response_close", args=[response.pk]), {"outcome": "完毕"}).status_code
        == 302
    )
    assert Response.objects.get(pk=response.pk).status == "closed"
