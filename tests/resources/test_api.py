"""/api/v1/resources: lists, create, stock issue/receive, occupancy, team status, nearest; bad input."""

from __future__ import annotations

import json

import pytest

from yingji.resources import services
from yingji.resources.models import Shelter, Stock, StockMovement, SupplyItem, Team, Warehouse

TOWN_A = "329901001000"
TOWN_B = "329901002000"
BASE = "/api/v1/resources"


def post(client, path, data):
    return client.post(BASE + path, json.dumps(data), content_type="application/json")


@pytest.fixture
def warehouse(county):
    return Warehouse.objects.create(
        name="甲镇仓库", level="town", division_id=TOWN_A, latitude=32.0, longitude=120.9
    )


@pytest.fixture
def stocked(warehouse, staff_user):
    item = SupplyItem.objects.get(code="tent")
    services.receive_stock(actor=staff_user, warehouse=warehouse, item=item, quantity=5, reason="采购")
    return Stock.objects.get()


def test_create_and_list_teams(client_for, staff_user, town_b_official):
    client = client_for(staff_user)
    response = post(
        client,
        "/teams",
        {
            "name": "甲镇应急分队",
            "kind": "social",
            "level": "town",
            "division": TOWN_A,
            "latitude": 32.0,
            "longitude": 120.9,
        },
    )
    assert response.status_code == 201, response.content
    team_id = response.json()["id"]
    assert client.get(BASE + "/teams").json()["count"] == 1
    assert client.get(f"{BASE}/teams/{team_id}").json()["members"] == []
    response = post(client, f"/teams/{team_id}/members", {"name": "王五", "certificate_expiry": "2027-01-01"})
    assert response.status_code == 201
    assert Team.objects.get().headcount == 1
    other = client_for(town_b_official)
    assert other.get(f"{BASE}/teams/{team_id}").status_code == 404
    assert other.get(BASE + "/teams").json()["count"] == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"latitude": 60.0}, "latitude"),
        ({"longitude": 200.0}, "longitude"),
        ({"division": TOWN_B}, "division"),
        ({"kind": "army"}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_create_bad_input_writes_nothing(client_for, town_a_official, changes, field):
    payload = {
        "name": "甲镇避难场所",
        "division": TOWN_A,
        "latitude": 32.0,
        "longitude": 120.9,
        "capacity": 10,
    }
    payload.update(changes)
    payload.pop("kind", None) if field != "kind" else None
    if field == "kind":  # shelters have no kind: an unknown field
        response = post(client_for(town_a_official), "/shelters", payload)
        assert response.status_code == 400 and "kind" in response.json()["fields"]
        return
    response = post(client_for(town_a_official), "/shelters", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Shelter.objects.exists()


def test_issue_above_stock_is_400_quantity(client_for, staff_user, stocked):
    client = client_for(staff_user)
    response = post(client, "/stock/issue", {"stock_id": stocked.pk, "quantity": 6, "reason": "调拨"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_data" and "quantity" in body["fields"]
    assert Stock.objects.get().quantity == 5 and StockMovement.objects.filter(kind="out").count() == 0
    response = post(client, "/stock/issue", {"stock_id": stocked.pk, "quantity": -1, "reason": "调拨"})
    assert response.status_code == 400 and "quantity" in response.json()["fields"]
    response = post(client, "/stock/issue", {"stock_id": stocked.pk, "quantity": 2, "reason": "调拨"})
    assert response.status_code == 201 and response.json()["balance"] == "3"


def test_receive_with_bad_expiry_writes_nothing(client_for, staff_user, warehouse):
    item = SupplyItem.objects.get(code="drinking-water")
    client = client_for(staff_user)
    payload = {
        "warehouse": warehouse.pk,
        "item": item.pk,
        "quantity": 10,
        "reason": "采购",
        "expiry": "2026/13/01",
    }
    response = post(client, "/stock/receive", payload)
    assert response.status_code == 400 and "expiry" in response.json()["fields"]
    assert not Stock.objects.exists()
    payload["expiry"] = "2027-01-31"
    assert post(client, "/stock/receive", payload).status_code == 201
    assert Stock.objects.get().expiry.isoformat() == "2027-01-31"


def test_receive_refused_outside_jurisdiction(client_for, town_b_official, warehouse):
    item = SupplyItem.objects.get(code="tent")
    payload = {"warehouse": warehouse.pk, "item": item.pk, "quantity": 10, "reason": "采购"}
    response = post(client_for(town_b_official), "/stock/receive", payload)
    assert response.status_code == 400 and "warehouse" in response.json()["fields"]
    assert not Stock.objects.exists()


def test_occupancy_and_team_status(client_for, staff_user, county):
    shelter = Shelter.objects.create(
        name="甲镇中学", division_id=TOWN_A, latitude=32, longitude=121, capacity=50
    )
    client = client_for(staff_user)
    response = post(client, f"/shelters/{shelter.pk}/occupancy", {"occupancy": 5})
    assert response.status_code == 400 and "occupancy" in response.json()["fields"]  # closed
    Shelter.objects.filter(pk=shelter.pk).update(is_open=True)
    response = post(client, f"/shelters/{shelter.pk}/occupancy", {"occupancy": 51})
    assert response.status_code == 400 and "occupancy" in response.json()["fields"]
    response = post(client, f"/shelters/{shelter.pk}/occupancy", {"occupancy": 50})
    assert response.status_code == 200, response.content
    assert response.json()["free"] == 0
    team = Team.objects.create(name="队", kind="social", division_id=TOWN_A, latitude=32, longitude=121)
    assert post(client, f"/teams/{team.pk}/status", {"status": "dispatched"}).json()["status"] == "dispatched"
    response = post(client, f"/teams/{team.pk}/status", {"status": "nope"})
    assert response.status_code == 400 and "status" in response.json()["fields"]


def test_nearest_endpoint(client_for, staff_user, county):
    for i in range(12):
        Team.objects.create(
            name=f"队{i}", kind="social", division_id=TOWN_A, latitude=32 + i / 100, longitude=121
        )
    client = client_for(staff_user)
    response = client.get(BASE + "/nearest", {"kind": "team", "lat": 32, "lon": 121, "limit": 10})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["name"] for i in items] == [f"队{i}" for i in range(10)]
    assert items[0]["distance_km"] == 0 and items[1]["eta_minutes"] >= 1
    for params, field in [
        ({"kind": "team", "lat": 95, "lon": 121}, "latitude"),
        ({"kind": "team", "lat": 32, "lon": 10}, "longitude"),
        ({"kind": "tank", "lat": 32, "lon": 121}, "kind"),
        ({"kind": "team", "lat": 32, "lon": 121, "limit": 0}, "limit"),
    ]:
        response = client.get(BASE + "/nearest", params)
        assert response.status_code == 400 and field in response.json()["fields"], params


def test_leader_cannot_write(client_for, leader, stocked):
    client = client_for(leader)
    assert client.get(BASE + "/stock").json()["count"] == 1
    assert (
        post(client, "/stock/issue", {"stock_id": stocked.pk, "quantity": 1, "reason": "x"}).status_code
        == 403
    )
    assert Stock.objects.get().quantity == 5
