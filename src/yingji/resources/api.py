"""/api/v1/resources: teams, warehouses (+ stock), supply catalogue, shelters, experts, equipment, nearest.

Lists are paginated (`page`, `page_size`) and take the list pages' filters. Creation takes a JSON
object of the model's fields (FKs by id, `division` by its 12-digit code); errors are 400
`invalid_data` with `fields`. See docs/resources.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Router, Schema, Status

from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.resources import filters, rules, services
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

router = Router(tags=["resources"])
JSON_BODY = Body(..., description="A JSON object")


# Optional here so that a caller without permission or scope gets 403/404, not a validation error;
# the services require them.
class StatusIn(Schema):
    status: str = ""
    note: str = ""


class OccupancyIn(Schema):
    occupancy: int | None = None


# kind -> (model, filterset, fields accepted on create)
WRITABLE = {
    "team": (
        Team,
        filters.TeamFilterSet,
        (
            "name",
            "kind",
            "level",
            "division",
            "enterprise",
            "address",
            "latitude",
            "longitude",
            "status",
            "contact_name",
            "contact_phone",
            "notes",
        ),
    ),
    "warehouse": (
        Warehouse,
        filters.WarehouseFilterSet,
        (
            "name",
            "level",
            "division",
            "enterprise",
            "address",
            "latitude",
            "longitude",
            "area_m2",
            "manager",
            "phone",
        ),
    ),
    "shelter": (
        Shelter,
        filters.ShelterFilterSet,
        (
            "name",
            "division",
            "address",
            "latitude",
            "longitude",
            "capacity",
            "area_m2",
            "facilities",
            "is_open",
            "manager",
            "phone",
        ),
    ),
    "expert": (
        Expert,
        filters.ExpertFilterSet,
        ("name", "specialty", "title", "employer", "phone", "division", "latitude", "longitude", "notes"),
    ),
    "equipment": (
        Equipment,
        filters.EquipmentFilterSet,
        (
            "name",
            "kind",
            "model",
            "owner",
            "team",
            "division",
            "enterprise",
            "address",
            "latitude",
            "longitude",
            "quantity",
            "status",
            "contact_phone",
        ),
    ),
}
HIDDEN = {"alerted_on"}


def _value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


def serialize(obj) -> dict:
    """Every concrete field (foreign keys as ids, the division as its code) plus a few display values."""
    data: dict[str, Any] = {"id": obj.pk}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in HIDDEN:
            continue
        key = field.name
        data[key] = _value(getattr(obj, field.attname))
    if hasattr(obj, "division_id"):
        data["division_name"] = obj.division.name if obj.division_id else ""
    if isinstance(obj, Shelter):
        data["free"] = obj.free
    if isinstance(obj, Stock):
        today = timezone.localdate()
        data.update(
            item_name=obj.item.name,
            unit=obj.item.unit,
            warehouse_name=obj.warehouse.name,
            flags=rules.stock_flags(obj.quantity, obj.minimum, obj.expiry, today, rules.DEFAULT_EXPIRY_DAYS),
        )
    return data


def _scoped(request, model):
    queryset = model.objects.for_user(request.user)
    if "division" in {f.name for f in model._meta.fields}:
        queryset = queryset.select_related("division")
    return queryset


def _create(request, kind: str, payload: dict) -> dict:
    model, _filterset, writable = WRITABLE[kind]
    require_perm(request, f"resources.add_{model._meta.model_name}")
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_input", _("Send a JSON object."))
    unknown = sorted(set(payload) - set(writable))
    if unknown:
        raise ApiError(
            400, "invalid_input", _("Unknown fields."), {k: [_("Unknown field.")] for k in unknown}
        )
    obj = model()
    for name, value in payload.items():
        field = model._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            if value in (None, ""):
                setattr(obj, field.attname, None)
                continue
            target = field.related_model
            queryset = target.objects.for_user(request.user) if hasattr(target.objects, "for_user") else None
            if name == "division":
                from yingji.core.divisions import normalise_code
                from yingji.core.models import Division

                queryset = Division.objects.for_user(request.user)
                try:
                    value = normalise_code(value)
                except (TypeError, ValueError):
                    value = ""
            if queryset is None or not queryset.filter(pk=value).exists():
                raise ValidationError({name: _("Unknown, or outside your jurisdiction.")})
            setattr(obj, field.attname, value)
        else:
            setattr(obj, field.attname, value)
    if getattr(obj, "division_id", None) is None and hasattr(obj, "division_id"):
        raise ValidationError({"division": _("This field is required.")})
    services.save_resource(actor=request.user, obj=obj)
    return serialize(model.objects.select_related("division").get(pk=obj.pk))


# --- teams -------------------------------------------------------------------------------------------


@router.get("/teams", summary="Rescue teams in your jurisdiction (paginated)")
def list_teams(request):
    """Filters: q, division, kind, level, status, sort."""
    require_perm(request, "resources.view_team")
    return page_of(
        filtered_or_400(filters.TeamFilterSet, request, _scoped(request, Team)), request, serialize
    )


@router.get("/teams/{int:team_id}", summary="One team with its members and equipment")
def get_team(request, team_id: int):
    require_perm(request, "resources.view_team")
    team = get_object_or_404(_scoped(request, Team), pk=team_id)
    data = serialize(team)
    data["members"] = [serialize(m) for m in team.members.all()]
    data["equipment"] = [serialize(e) for e in team.equipment.select_related("division")]
    return data


@router.post("/teams", response={201: dict}, summary="Create a team")
def create_team(request, payload: dict = JSON_BODY):
    return Status(201, _create(request, "team", payload))


@router.post("/teams/{int:team_id}/status", summary="Set a team's readiness")
def set_team_status(request, team_id: int, payload: StatusIn):
    require_perm(request, "resources.set_status_team")
    team = get_object_or_404(_scoped(request, Team), pk=team_id)
    return serialize(
        services.set_team_status(actor=request.user, team=team, status=payload.status, note=payload.note)
    )


@router.post("/teams/{int:team_id}/members", response={201: dict}, summary="Add a member to a team")
def add_member(request, team_id: int, payload: dict = JSON_BODY):
    require_perm(request, "resources.add_teammember")
    team = get_object_or_404(_scoped(request, Team), pk=team_id)
    allowed = (
        "name",
        "position",
        "phone",
        "skills",
        "certificate",
        "certificate_number",
        "certificate_expiry",
    )
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise ApiError(
            400, "invalid_input", _("Unknown fields."), {k: [_("Unknown field.")] for k in unknown}
        )
    member = TeamMember(team=team, **payload)
    services.save_resource(actor=request.user, obj=member)
    return Status(201, serialize(member))


# --- warehouses and stock ----------------------------------------------------------------------------


@router.get("/warehouses", summary="Warehouses in your jurisdiction (paginated)")
def list_warehouses(request):
    """Filters: q, division, level, flagged (true: with stock below minimum or expiring), sort."""
    require_perm(request, "resources.view_warehouse")
    queryset = filtered_or_400(filters.WarehouseFilterSet, request, _scoped(request, Warehouse))
    return page_of(queryset, request, serialize)


@router.get("/warehouses/{int:warehouse_id}", summary="One warehouse with its stock")
def get_warehouse(request, warehouse_id: int):
    require_perm(request, "resources.view_warehouse")
    warehouse = get_object_or_404(_scoped(request, Warehouse), pk=warehouse_id)
    data = serialize(warehouse)
    data["stock"] = [serialize(s) for s in warehouse.stocks.select_related("item", "warehouse")]
    return data


@router.post("/warehouses", response={201: dict}, summary="Create a warehouse")
def create_warehouse(request, payload: dict = JSON_BODY):
    return Status(201, _create(request, "warehouse", payload))


@router.get("/stock", summary="Stock lines (paginated)")
def list_stock(request):
    """Filters: q, warehouse, item, category, division, flag (below_minimum | expiring | any), days
    (expiring within, default 30), sort."""
    require_perm(request, "resources.view_stock")
    queryset = Stock.objects.for_user(request.user).select_related("item", "warehouse")
    return page_of(filtered_or_400(filters.StockFilterSet, request, queryset), request, serialize)


@router.get("/movements", summary="Stock movements (paginated, newest first)")
def list_movements(request):
    """Filters: warehouse, item, kind (in | out | adjust), division."""
    require_perm(request, "resources.view_stockmovement")
    queryset = StockMovement.objects.for_user(request.user)
    return page_of(filtered_or_400(filters.MovementFilterSet, request, queryset), request, serialize)


def _movement_payload(request, payload: dict, allowed: tuple[str, ...]) -> dict:
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_input", _("Send a JSON object."))
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise ApiError(
            400, "invalid_input", _("Unknown fields."), {k: [_("Unknown field.")] for k in unknown}
        )
    data = dict(payload)
    if "warehouse" in data:
        warehouse = (
            Warehouse.objects.for_user(request.user).filter(pk=_int_or_none(data["warehouse"])).first()
        )
        if warehouse is None:
            raise ValidationError({"warehouse": _("Unknown, or outside your jurisdiction.")})
        data["warehouse"] = warehouse
    if "item" in data:
        item = SupplyItem.objects.filter(pk=_int_or_none(data["item"])).first()
        if item is None:
            raise ValidationError({"item": _("Unknown supply item.")})
        data["item"] = item
    if data.get("expiry") not in (None, ""):
        try:
            data["expiry"] = datetime.date.fromisoformat(str(data["expiry"]))
        except ValueError:
            raise ValidationError({"expiry": _("Enter a date as YYYY-MM-DD.")}) from None
    else:
        data.pop("expiry", None)
    return data


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@router.post("/stock/issue", response={201: dict}, summary="Issue stock (refused above the quantity held)")
def issue_stock(request, payload: dict = JSON_BODY):
    """Body: {stock_id} or {warehouse, item}, quantity (> 0), reason, reference. Above stock: 400
    `invalid_data` with `fields.quantity`."""
    require_perm(request, "resources.issue_stock")
    data = _movement_payload(
        request, payload, ("stock_id", "warehouse", "item", "quantity", "reason", "reference")
    )
    if "stock_id" in data:
        stock = Stock.objects.for_user(request.user).filter(pk=_int_or_none(data["stock_id"])).first()
        if stock is None:
            raise ValidationError({"stock_id": _("Unknown, or outside your jurisdiction.")})
        data["stock_id"] = stock.pk
    movement = services.issue_stock(actor=request.user, **data)
    return Status(201, serialize(movement))


@router.post("/stock/receive", response={201: dict}, summary="Receive stock into a warehouse")
def receive_stock(request, payload: dict = JSON_BODY):
    """Body: warehouse, item, quantity (> 0), reason, reference, expiry (YYYY-MM-DD), minimum."""
    require_perm(request, "resources.receive_stock")
    data = _movement_payload(
        request, payload, ("warehouse", "item", "quantity", "reason", "reference", "expiry", "minimum")
    )
    for name in ("warehouse", "item", "quantity"):
        if name not in data:
            raise ValidationError({name: _("This field is required.")})
    movement = services.receive_stock(actor=request.user, **data)
    return Status(201, serialize(movement))


# --- catalogue -----------------------------------------------------------------------------------------


@router.get("/items", summary="The supply catalogue (paginated)")
def list_items(request):
    """Filters: q, category (id)."""
    require_perm(request, "resources.view_supplyitem")
    queryset = SupplyItem.objects.select_related("category")
    result = page_of(filtered_or_400(filters.SupplyItemFilterSet, request, queryset), request, serialize)
    return result


@router.post("/items", response={201: dict}, summary="Add a supply item to the catalogue")
def create_item(request, payload: dict = JSON_BODY):
    require_perm(request, "resources.add_supplyitem")
    allowed = ("category", "code", "name", "unit", "spec", "shelf_life_days")
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise ApiError(
            400, "invalid_input", _("Unknown fields."), {k: [_("Unknown field.")] for k in unknown}
        )
    data = dict(payload)
    data["category_id"] = data.pop("category", None)
    item = SupplyItem(**data)
    services.save_catalogue_item(actor=request.user, item=item)
    return Status(201, serialize(item))


# --- shelters, experts, equipment ----------------------------------------------------------------------


@router.get("/shelters", summary="Shelters in your jurisdiction (paginated)")
def list_shelters(request):
    """Filters: q, division, is_open, sort."""
    require_perm(request, "resources.view_shelter")
    queryset = filtered_or_400(filters.ShelterFilterSet, request, _scoped(request, Shelter))
    return page_of(queryset, request, serialize)


@router.get("/shelters/{int:shelter_id}", summary="One shelter")
def get_shelter(request, shelter_id: int):
    require_perm(request, "resources.view_shelter")
    return serialize(get_object_or_404(_scoped(request, Shelter), pk=shelter_id))


@router.post("/shelters", response={201: dict}, summary="Create a shelter")
def create_shelter(request, payload: dict = JSON_BODY):
    return Status(201, _create(request, "shelter", payload))


@router.post("/shelters/{int:shelter_id}/occupancy", summary="Record a shelter's current occupancy")
def set_occupancy(request, shelter_id: int, payload: OccupancyIn):
    """Above capacity or while closed: 400 `invalid_data` with `fields.occupancy`."""
    require_perm(request, "resources.set_occupancy_shelter")
    shelter = get_object_or_404(_scoped(request, Shelter), pk=shelter_id)
    return serialize(
        services.set_shelter_occupancy(actor=request.user, shelter=shelter, occupancy=payload.occupancy)
    )


@router.get("/experts", summary="Experts in your jurisdiction (paginated)")
def list_experts(request):
    """Filters: q, division, specialty, sort."""
    require_perm(request, "resources.view_expert")
    queryset = filtered_or_400(filters.ExpertFilterSet, request, _scoped(request, Expert))
    return page_of(queryset, request, serialize)


@router.get("/experts/{int:expert_id}", summary="One expert")
def get_expert(request, expert_id: int):
    require_perm(request, "resources.view_expert")
    return serialize(get_object_or_404(_scoped(request, Expert), pk=expert_id))


@router.post("/experts", response={201: dict}, summary="Create an expert")
def create_expert(request, payload: dict = JSON_BODY):
    return Status(201, _create(request, "expert", payload))


@router.get("/equipment", summary="Key equipment in your jurisdiction (paginated)")
def list_equipment(request):
    """Filters: q, division, status, team, sort."""
    require_perm(request, "resources.view_equipment")
    queryset = filtered_or_400(filters.EquipmentFilterSet, request, _scoped(request, Equipment))
    return page_of(queryset, request, serialize)


@router.get("/equipment/{int:equipment_id}", summary="One piece of key equipment")
def get_equipment(request, equipment_id: int):
    require_perm(request, "resources.view_equipment")
    return serialize(get_object_or_404(_scoped(request, Equipment), pk=equipment_id))


@router.post("/equipment", response={201: dict}, summary="Create key equipment")
def create_equipment(request, payload: dict = JSON_BODY):
    return Status(201, _create(request, "equipment", payload))


# --- nearest -------------------------------------------------------------------------------------------


@router.get("/nearest", summary="The nearest resources of a kind to a point, with distance and ETA")
def nearest(
    request,
    kind: str,
    lat: float,
    lon: float,
    limit: int = 10,
    item: int | None = None,
    min_free: int | None = None,
    status: str | None = None,
):
    """kind: team | warehouse | shelter | expert | equipment. item: warehouses holding that supply item;
    min_free: open shelters with that many free places; status: teams/equipment in that status.
    ETA = distance × road factor / average speed (settings YINGJI_RESOURCES_ROAD_FACTOR, _SPEED_KMH)."""
    if kind in services.MODELS:
        require_perm(request, f"resources.view_{kind}")
    results = services.nearest(
        user=request.user,
        kind=kind,
        latitude=lat,
        longitude=lon,
        limit=limit,
        item=item,
        min_free=min_free,
        status=status,
    )
    return {
        "kind": kind,
        "latitude": lat,
        "longitude": lon,
        "speed_kmh": rules.speed_kmh(),
        "road_factor": rules.road_factor(),
        "items": [
            {**serialize(r["object"]), "distance_km": r["distance_km"], "eta_minutes": r["eta_minutes"]}
            for r in results
        ],
    }
