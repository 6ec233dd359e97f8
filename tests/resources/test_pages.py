"""Resources pages: every page renders for the bureau, forms go through the services, bad input
comes back on its field with nothing written, other towns get 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from yingji.resources import services
from yingji.resources.models import (
    Equipment,
    Expert,
    Shelter,
    Stock,
    StockMovement,
    SupplyItem,
    Team,
    TeamMember,
    Warehouse,
)

TOWN_A = "329901001000"
TOWN_B = "329901002000"


@pytest.fixture
def duty_officer_user(county):
    from tests.conftest import COUNTY, _user

    return _user("duty", "duty_officer", COUNTY)


@pytest.fixture
def world(county, staff_user):
    team = Team.objects.create(
        name="甲镇分队", kind="social", division_id=TOWN_A, latitude=32, longitude=120.9
    )
    member = TeamMember.objects.create(team=team, name="王五", certificate_expiry=datetime.date(2020, 1, 1))
    warehouse = Warehouse.objects.create(
        name="甲镇仓库", level="town", division_id=TOWN_A, latitude=32, longitude=120.9
    )
    item = SupplyItem.objects.get(code="tent")
    services.receive_stock(
        actor=staff_user, warehouse=warehouse, item=item, quantity=3, reason="采购", minimum=5
    )
    shelter = Shelter.objects.create(
        name="甲镇小学", division_id=TOWN_A, latitude=32, longitude=120.9, capacity=100, is_open=True
    )
    expert = Expert.objects.create(
        name="赵专家", specialty="hazchem", phone="13812341234", division_id=TOWN_A
    )
    equipment = Equipment.objects.create(
        name="挖掘机", kind="挖掘机", division_id=TOWN_A, latitude=32, longitude=120.9, team=team
    )
    return {
        "team": team,
        "teammember": member,
        "warehouse": warehouse,
        "stock": Stock.objects.get(),
        "shelter": shelter,
        "expert": expert,
        "equipment": equipment,
        "item": item,
    }


def test_every_page_renders(client_for, admin_user, world):
    client = client_for(admin_user)
    names = []
    for kind in ("team", "warehouse", "shelter", "expert", "equipment"):
        obj = world[kind]
        names += [
            (f"resources:{kind}_list", []),
            (f"resources:{kind}_add", []),
            (f"resources:{kind}_import", []),
            (f"resources:{kind}_template", []),
            (f"resources:{kind}_export", []),
            (f"resources:{kind}_detail", [obj.pk]),
            (f"resources:{kind}_edit", [obj.pk]),
            (f"resources:{kind}_delete", [obj.pk]),
        ]
    stock = world["stock"]
    names += [
        ("resources:stock_list", []),
        ("resources:stock_detail", [stock.pk]),
        ("resources:stock_issue", [stock.pk]),
        ("resources:stock_adjust", [stock.pk]),
        ("resources:stock_edit", [stock.pk]),
        ("resources:stock_import", []),
        ("resources:stock_template", []),
        ("resources:stock_export", []),
        ("resources:stockmovement_list", []),
        ("resources:supplyitem_list", []),
        ("resources:supplyitem_add", []),
        ("resources:supplyitem_edit", [world["item"].pk]),
        ("resources:supplyitem_import", []),
        ("resources:supplyitem_export", []),
        ("resources:team_status", [world["team"].pk]),
        ("resources:team_addmember", [world["team"].pk]),
        ("resources:teammember_edit", [world["teammember"].pk]),
        ("resources:teammember_delete", [world["teammember"].pk]),
        ("resources:warehouse_receive", [world["warehouse"].pk]),
        ("resources:shelter_occupancy", [world["shelter"].pk]),
        ("resources:nearest", []),
    ]
    for name, args in names:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name


def test_warehouse_page_flags_stock(client_for, staff_user, world):
    page = client_for(staff_user).get(reverse("resources:warehouse_detail", args=[world["warehouse"].pk]))
    html = page.content.decode()
    assert 'id="stock-warnings"' in html and 'data-flag="below_minimum"' in html
    response = client_for(staff_user).get(reverse("resources:stock_list"), {"flag": "below_minimum"})
    assert response.status_code == 200 and "甲镇仓库" in response.content.decode()
    response = client_for(staff_user).get(reverse("resources:stock_list"), {"flag": "expiring", "days": 10})
    assert "甲镇仓库" not in response.content.decode().split('id="object-list"')[1]


def test_issue_form_refuses_above_stock(client_for, staff_user, world):
    stock = world["stock"]
    client = client_for(staff_user)
    url = reverse("resources:stock_issue", args=[stock.pk])
    response = client.post(url, {"issue-quantity": "4", "issue-reason": "调拨"})
    assert response.status_code == 400 and 'data-field="quantity"' in response.content.decode()
    response = client.post(url, {"issue-quantity": "-1", "issue-reason": "调拨"})
    assert response.status_code == 400 and 'data-field="quantity"' in response.content.decode()
    assert Stock.objects.get().quantity == 3 and not StockMovement.objects.filter(kind="out").exists()
    response = client.post(url, {"issue-quantity": "2", "issue-reason": "调拨"})
    assert response.status_code == 302 and Stock.objects.get().quantity == 1


def test_receive_form_bad_expiry(client_for, staff_user, world):
    client = client_for(staff_user)
    url = reverse("resources:warehouse_receive", args=[world["warehouse"].pk])
    item = SupplyItem.objects.get(code="quilt")
    response = client.post(url, {"item": item.pk, "quantity": "5", "reason": "采购", "expiry": "31/12/2026"})
    assert response.status_code == 400 and 'data-field="expiry"' in response.content.decode()
    assert not Stock.objects.filter(item=item).exists()
    response = client.post(url, {"item": item.pk, "quantity": "5", "reason": "采购", "expiry": "2026-12-31"})
    assert response.status_code == 302 and Stock.objects.get(item=item).quantity == 5


def test_occupancy_form(client_for, town_a_official, world):
    shelter = world["shelter"]
    client = client_for(town_a_official)
    url = reverse("resources:shelter_occupancy", args=[shelter.pk])
    response = client.post(url, {"occupancy": "101"})
    assert response.status_code == 400 and 'data-field="occupancy"' in response.content.decode()
    assert Shelter.objects.get().occupancy == 0
    assert client.post(url, {"occupancy": "60"}).status_code == 302
    assert Shelter.objects.get().occupancy == 60
    client.post(reverse("resources:shelter_open", args=[shelter.pk]), {"is_open": "0"})
    assert Shelter.objects.get().is_open  # people are inside: not closed


def test_add_shelter_outside_china_writes_nothing(client_for, town_a_official, world):
    client = client_for(town_a_official)
    data = {"name": "新场所", "division": TOWN_A, "latitude": "32", "longitude": "10", "capacity": "10"}
    response = client.post(reverse("resources:shelter_add"), data)
    assert response.status_code == 400 and 'data-field="longitude"' in response.content.decode()
    assert Shelter.objects.count() == 1
    data.update(longitude="120.5")
    assert client.post(reverse("resources:shelter_add"), data).status_code == 302
    data.update(division=TOWN_B, name="乙镇场所")
    response = client.post(reverse("resources:shelter_add"), data)
    assert response.status_code == 400 and Shelter.objects.count() == 2


def test_team_status_and_members(client_for, staff_user, duty_officer_user, world):
    team = world["team"]
    client = client_for(duty_officer_user)
    assert (
        client.post(reverse("resources:team_status", args=[team.pk]), {"status": "dispatched"}).status_code
        == 302
    )
    assert Team.objects.get().status == "dispatched"
    assert client.get(reverse("resources:team_edit", args=[team.pk])).status_code == 403
    client = client_for(staff_user)
    response = client.post(
        reverse("resources:team_addmember", args=[team.pk]),
        {"name": "李六", "certificate_expiry": "2026-13-01"},
    )
    assert response.status_code == 400 and 'data-field="certificate_expiry"' in response.content.decode()
    response = client.post(
        reverse("resources:team_addmember", args=[team.pk]), {"name": "李六", "phone": "13812345678"}
    )
    assert response.status_code == 302 and Team.objects.get().headcount == 2


def test_other_town_gets_404(client_for, town_b_official, world):
    client = client_for(town_b_official)
    for kind in ("team", "warehouse", "shelter", "expert", "equipment", "stock"):
        assert client.get(reverse(f"resources:{kind}_detail", args=[world[kind].pk])).status_code == 404
    response = client.post(
        reverse("resources:stock_issue", args=[world["stock"].pk]),
        {"issue-quantity": "1", "issue-reason": "x"},
    )
    assert response.status_code == 404 and Stock.objects.get().quantity == 3


def test_nearest_page(client_for, staff_user, world):
    client = client_for(staff_user)
    response = client.get(
        reverse("resources:nearest"),
        {"kind": "team", "latitude": "32.01", "longitude": "120.9", "limit": "10"},
    )
    assert response.status_code == 200 and 'id="nearest-results"' in response.content.decode()
    assert f'data-id="{world["team"].pk}"' in response.content.decode()
    response = client.get(
        reverse("resources:nearest"), {"kind": "team", "latitude": "32", "longitude": "200", "limit": "10"}
    )
    assert response.status_code == 400
    response = client.get(
        reverse("resources:nearest"), {"kind": "team", "latitude": "60", "longitude": "120", "limit": "10"}
    )
    assert response.status_code == 400 and 'data-field="latitude"' in response.content.decode()
