"""Resources services: stock movements, occupancy, team status, nearest, daily stock warnings."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from yingji.messaging.models import Message
from yingji.resources import rules, services
from yingji.resources.models import Shelter, Stock, StockMovement, SupplyItem, Team, Warehouse

TOWN_A = "329901001000"
TOWN_B = "329901002000"


def make_warehouse(division=TOWN_A, name="甲镇仓库", lat=32.0, lng=120.9):
    return Warehouse.objects.create(
        name=name, level="town", division_id=division, latitude=lat, longitude=lng
    )


@pytest.fixture
def warehouse(county):
    return make_warehouse()


@pytest.fixture
def tent(db):
    return SupplyItem.objects.get(code="tent")


def test_catalogue_is_shipped(db):
    assert SupplyItem.objects.filter(category__code="living").count() >= 5
    assert services.load_catalogue() == 0  # idempotent


def test_receive_then_issue_keeps_movements(warehouse, tent, staff_user):
    services.receive_stock(actor=staff_user, warehouse=warehouse, item=tent, quantity=10, reason="采购")
    movement = services.issue_stock(
        actor=staff_user, warehouse=warehouse, item=tent, quantity="3.5", reason="调拨", reference="R1"
    )
    stock = Stock.objects.get(warehouse=warehouse, item=tent)
    assert stock.quantity == Decimal("6.5")
    assert (
        movement.kind == "out" and movement.quantity == Decimal("-3.5") and movement.balance == Decimal("6.5")
    )
    assert movement.actor == staff_user and movement.reference == "R1"
    assert StockMovement.objects.filter(stock=stock).count() == 2


def test_issue_above_stock_is_refused(warehouse, tent, staff_user):
    services.receive_stock(actor=staff_user, warehouse=warehouse, item=tent, quantity=2, reason="采购")
    with pytest.raises(ValidationError) as error:
        services.issue_stock(actor=staff_user, warehouse=warehouse, item=tent, quantity=3, reason="调拨")
    assert "quantity" in error.value.message_dict
    assert Stock.objects.get(warehouse=warehouse, item=tent).quantity == 2
    assert StockMovement.objects.filter(kind="out").count() == 0


@pytest.mark.parametrize("quantity", [-1, 0, "abc", "1.234", "NaN"])
def test_bad_quantities_write_nothing(warehouse, tent, staff_user, quantity):
    with pytest.raises(ValidationError) as error:
        services.receive_stock(
            actor=staff_user, warehouse=warehouse, item=tent, quantity=quantity, reason="x"
        )
    assert "quantity" in error.value.message_dict
    assert not Stock.objects.exists() and not StockMovement.objects.exists()


def test_adjust_sets_counted_quantity(warehouse, tent, staff_user):
    services.receive_stock(actor=staff_user, warehouse=warehouse, item=tent, quantity=10, reason="采购")
    stock = Stock.objects.get()
    movement = services.adjust_stock(actor=staff_user, stock=stock, quantity=7, reason="盘点")
    assert movement.quantity == -3 and Stock.objects.get().quantity == 7
    with pytest.raises(ValidationError):
        services.adjust_stock(actor=staff_user, stock=stock, quantity=-1, reason="盘点")
    assert Stock.objects.get().quantity == 7


def test_other_town_cannot_touch_stock(warehouse, tent, staff_user, town_b_official):
    services.receive_stock(actor=staff_user, warehouse=warehouse, item=tent, quantity=5, reason="采购")
    with pytest.raises(ValidationError):
        services.issue_stock(actor=town_b_official, warehouse=warehouse, item=tent, quantity=1, reason="x")
    assert Stock.objects.get().quantity == 5


def test_shelter_occupancy(county, staff_user):
    shelter = Shelter.objects.create(
        name="甲镇小学", division_id=TOWN_A, latitude=32.0, longitude=120.9, capacity=100, is_open=False
    )
    with pytest.raises(ValidationError) as error:
        services.set_shelter_occupancy(actor=staff_user, shelter=shelter, occupancy=10)
    assert error.value.error_dict["occupancy"][0].code == "shelter_closed"
    services.set_shelter_open(actor=staff_user, shelter=shelter, is_open=True)
    with pytest.raises(ValidationError) as error:
        services.set_shelter_occupancy(actor=staff_user, shelter=shelter, occupancy=101)
    assert error.value.error_dict["occupancy"][0].code == "above_capacity"
    assert Shelter.objects.get().occupancy == 0
    services.set_shelter_occupancy(actor=staff_user, shelter=shelter, occupancy=100)
    assert Shelter.objects.get().occupancy == 100
    with pytest.raises(ValidationError):
        services.set_shelter_open(actor=staff_user, shelter=shelter, is_open=False)
    assert Shelter.objects.get().is_open


def test_team_status(county, staff_user):
    team = Team.objects.create(
        name="县消防救援大队", kind="fire_rescue", division_id=TOWN_A, latitude=32, longitude=121
    )
    services.set_team_status(actor=staff_user, team=team, status="dispatched", note="赴甲镇")
    assert Team.objects.get().status == "dispatched"
    with pytest.raises(ValidationError) as error:
        services.set_team_status(actor=staff_user, team=team, status="asleep")
    assert "status" in error.value.message_dict
    assert Team.objects.get().status == "dispatched"


def test_nearest_matches_brute_force(county, admin_user):
    rng = random.Random(7)
    teams = [
        Team(
            name=f"队{i}",
            kind="social",
            division_id=rng.choice([TOWN_A, TOWN_B]),
            latitude=31.5 + rng.random(),
            longitude=120.5 + rng.random(),
        )
        for i in range(400)
    ]
    Team.objects.bulk_create(teams)
    for lat, lng in [(32.0, 121.0), (31.5, 120.5), (35.0, 118.0)]:
        found = services.nearest(user=admin_user, kind="team", latitude=lat, longitude=lng, limit=10)
        expected = sorted(
            (rules.distance_km(lat, lng, t.latitude, t.longitude), t.pk) for t in Team.objects.all()
        )[:10]
        assert [r["object"].pk for r in found] == [pk for _d, pk in expected]
        assert found[0]["distance_km"] <= found[-1]["distance_km"]
        assert found[0]["eta_minutes"] == rules.eta_minutes(found[0]["distance_km"])


def test_nearest_is_scoped_and_filtered(county, town_a_official, warehouse, tent, staff_user):
    make_warehouse(TOWN_B, "乙镇仓库", 32.0, 120.91)
    services.receive_stock(actor=staff_user, warehouse=warehouse, item=tent, quantity=1, reason="采购")
    found = services.nearest(user=town_a_official, kind="warehouse", latitude=32.0, longitude=120.91)
    assert [r["object"].name for r in found] == ["甲镇仓库"]
    found = services.nearest(user=staff_user, kind="warehouse", latitude=32.0, longitude=120.91, item=tent)
    assert [r["object"].name for r in found] == ["甲镇仓库"]
    Shelter.objects.create(
        name="小", division_id=TOWN_A, latitude=32, longitude=121, capacity=10, is_open=True
    )
    Shelter.objects.create(
        name="大", division_id=TOWN_A, latitude=33, longitude=121, capacity=500, is_open=True
    )
    found = services.nearest(user=staff_user, kind="shelter", latitude=32, longitude=121, min_free=50)
    assert [r["object"].name for r in found] == ["大"]


@pytest.mark.parametrize(
    "lat,lng,field",
    [
        (91, 120, "latitude"),
        (32, 181, "longitude"),
        (10, 60, "longitude"),
        (60, 120, "latitude"),
        ("x", 1, "latitude"),
    ],
)
def test_nearest_bad_coordinates(county, staff_user, lat, lng, field):
    with pytest.raises(ValidationError) as error:
        services.nearest(user=staff_user, kind="team", latitude=lat, longitude=lng)
    assert field in error.value.message_dict


def test_nearest_bad_kind(county, staff_user):
    with pytest.raises(ValidationError) as error:
        services.nearest(user=staff_user, kind="tank", latitude=32, longitude=120)
    assert "kind" in error.value.message_dict


def test_stock_warnings_notify_once_a_day(warehouse, tent, staff_user, town_a_official):
    today = datetime.date(2026, 6, 1)
    services.receive_stock(
        actor=staff_user, warehouse=warehouse, item=tent, quantity=2, reason="采购", minimum=5
    )
    water = SupplyItem.objects.get(code="drinking-water")
    services.receive_stock(
        actor=staff_user,
        warehouse=warehouse,
        item=water,
        quantity=50,
        reason="采购",
        expiry=today + datetime.timedelta(days=10),
    )
    flagged = services.flagged_stock(Stock.objects.all(), today=today)
    assert flagged.count() == 2
    assert services.flagged_stock(Stock.objects.all(), today=today, flag="expiring").get().item == water
    assert services.notify_stock_warnings(today=today) == 1
    assert Message.objects.filter(recipient=town_a_official).count() == 1
    assert services.notify_stock_warnings(today=today) == 0
    assert Message.objects.filter(recipient=town_a_official).count() == 1
    assert services.notify_stock_warnings(today=today + datetime.timedelta(days=1)) == 1


def test_nearest_for_enterprise_user_sees_own_enterprise_only(
    county, enterprise_a, enterprise_b, enterprise_a_user
):
    Team.objects.create(
        name="甲企业专职队",
        kind="enterprise",
        division_id="329901001001",
        enterprise=enterprise_a,
        latitude=32,
        longitude=121,
    )
    Team.objects.create(
        name="乙企业专职队",
        kind="enterprise",
        division_id="329901002001",
        enterprise=enterprise_b,
        latitude=32,
        longitude=121,
    )
    Team.objects.create(name="镇队", kind="social", division_id=TOWN_A, latitude=32, longitude=121)
    found = services.nearest(user=enterprise_a_user, kind="team", latitude=32, longitude=121)
    assert [r["object"].name for r in found] == ["甲企业专职队"]
    assert services.nearest(user=enterprise_a_user, kind="shelter", latitude=32, longitude=121) == []


def test_team_status_outside_jurisdiction(county, town_b_official):
    team = Team.objects.create(name="甲镇队", kind="social", division_id=TOWN_A, latitude=32, longitude=121)
    with pytest.raises(ValidationError):
        services.set_team_status(actor=town_b_official, team=team, status="dispatched")
    assert Team.objects.get().status == "ready"
