"""Resources objects for the generated scoping walk (tests/test_scoping.py): for each walk enterprise
a team (owned by it, with a member), a warehouse (owned by it) with one stock line, a shelter, an
expert and key equipment in the enterprise's village, made on first use. The supply catalogue is
shared by every division: its pages need a permission only the bureau has, so every persona gets the
same shipped item (and a 403).

In tests/test_scoping.py: `OBJECTS.update(RESOURCES_OBJECTS)` and `API_PARAMS.update(RESOURCES_API_PARAMS)`.
"""

from __future__ import annotations

from yingji.resources.models import Equipment, Expert, Shelter, Stock, SupplyItem, Team, TeamMember, Warehouse

PLACE = {"latitude": 32.0, "longitude": 120.9}


def team_of(enterprise) -> Team:
    team, created = Team.objects.get_or_create(
        name=f"走查救援队-{enterprise.pk}",
        defaults={
            "kind": "enterprise",
            "level": "enterprise",
            "division_id": enterprise.division_id,
            "enterprise": enterprise,
            **PLACE,
        },
    )
    if created:
        TeamMember.objects.create(team=team, name=f"走查队员-{enterprise.pk}")
    return team


def member_of(enterprise) -> TeamMember:
    return team_of(enterprise).members.get()


def warehouse_of(enterprise) -> Warehouse:
    warehouse, _created = Warehouse.objects.get_or_create(
        name=f"走查仓库-{enterprise.pk}",
        defaults={
            "level": "enterprise",
            "division_id": enterprise.division_id,
            "enterprise": enterprise,
            **PLACE,
        },
    )
    return warehouse


def stock_of(enterprise) -> Stock:
    stock, _created = Stock.objects.get_or_create(
        warehouse=warehouse_of(enterprise), item=SupplyItem.objects.get(code="tent"), defaults={"quantity": 5}
    )
    return stock


def shelter_of(enterprise) -> Shelter:
    shelter, _created = Shelter.objects.get_or_create(
        name=f"走查避难场所-{enterprise.pk}",
        defaults={"division_id": enterprise.division_id, "capacity": 100, "is_open": True, **PLACE},
    )
    return shelter


def expert_of(enterprise) -> Expert:
    expert, _created = Expert.objects.get_or_create(
        name=f"走查专家-{enterprise.pk}",
        defaults={"division_id": enterprise.division_id, "specialty": "hazchem", "phone": "13812341234"},
    )
    return expert


def equipment_of(enterprise) -> Equipment:
    equipment, _created = Equipment.objects.get_or_create(
        name=f"走查装备-{enterprise.pk}",
        defaults={"kind": "挖掘机", "division_id": enterprise.division_id, "enterprise": enterprise, **PLACE},
    )
    return equipment


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.neighbour),
        "own": lambda w: make(w.enterprise_a),
    }


def _catalogue_item(_world) -> SupplyItem:
    return SupplyItem.objects.get(code="tent")


RESOURCES_OBJECTS = {
    "resources.team": _each(team_of),
    "resources.teammember": _each(member_of),
    "resources.warehouse": _each(warehouse_of),
    "resources.stock": _each(stock_of),
    "resources.shelter": _each(shelter_of),
    "resources.expert": _each(expert_of),
    "resources.equipment": _each(equipment_of),
    "resources.supplyitem": {
        "other_town": _catalogue_item,
        "other_enterprise": _catalogue_item,
        "own": _catalogue_item,
    },
}
RESOURCES_API_PARAMS = {
    "team_id": "resources.team",
    "warehouse_id": "resources.warehouse",
    "shelter_id": "resources.shelter",
    "expert_id": "resources.expert",
    "equipment_id": "resources.equipment",
}
