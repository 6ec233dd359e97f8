"""/api/v1/risk: risk units, points (with the assessment shown), control measures, posts, and the
risk level of an enterprise. The list filters are the pages' FilterSets; changes go through services.

Input schemas have every field optional: the permission is checked first and the services then name
any missing or bad field in a 400 `invalid_data` (so a read-only user gets 403, never a 400)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core.api import filtered_or_400, page_of, require_perm
from yingji.registry.models import Enterprise
from yingji.risk import rules, services
from yingji.risk.filters import PostFilterSet, RiskPointFilterSet, RiskUnitFilterSet
from yingji.risk.models import ControlMeasure, EnterpriseRisk, Post, RiskPoint, RiskUnit

router = Router(tags=["risk grading"])


# --- schemas --------------------------------------------------------------------------------------


class UnitIn(Schema):
    enterprise: int | None = Field(default=None, description="Enterprise id (create only)")
    name: str | None = None
    description: str | None = None


class PointIn(Schema):
    unit: int | None = Field(default=None, description="Risk unit id (create only)")
    name: str | None = None
    kind: str | None = Field(default=None, description="activity | equipment | place")
    hazard_factors: str | None = None
    consequences: str | None = None
    method: str | None = Field(default=None, description="lec | ls")
    lec_l: float | str | None = Field(
        default=None, description="LEC: L from the table (10, 6, 3, 1, 0.5, 0.2, 0.1)"
    )
    lec_e: float | str | None = Field(default=None, description="LEC: E from the table (10, 6, 3, 2, 1, 0.5)")
    lec_c: float | str | None = Field(
        default=None, description="LEC: C from the table (100, 40, 15, 7, 3, 1)"
    )
    ls_l: int | str | None = Field(default=None, description="LS: L 1–5")
    ls_s: int | str | None = Field(default=None, description="LS: S 1–5")


class MeasureIn(Schema):
    measure_type: str | None = Field(
        default=None, description="engineering | management | training | ppe | emergency"
    )
    control_level: str | None = Field(default=None, description="company | workshop | team | post")
    description: str | None = None
    responsible_person: str | None = None
    responsible_phone: str | None = None


class PostIn(Schema):
    enterprise: int | None = Field(default=None, description="Enterprise id (create only)")
    name: str | None = None
    duties: str | None = Field(default=None, description="One duty per line")
    operating_steps: str | None = Field(default=None, description="One step per line")
    emergency_steps: str | None = Field(default=None, description="One step per line")
    risk_points: list[int] | None = Field(
        default=None, description="Ids of risk points of the same enterprise"
    )


# --- serializers ----------------------------------------------------------------------------------


def unit_json(unit: RiskUnit) -> dict:
    return {
        "id": unit.id,
        "enterprise": unit.enterprise_id,
        "enterprise_name": unit.enterprise.name,
        "name": unit.name,
        "description": unit.description,
        "updated_at": unit.updated_at.isoformat(),
    }


def measure_json(m: ControlMeasure) -> dict:
    return {
        "id": m.id,
        "point": m.point_id,
        "measure_type": m.measure_type,
        "measure_type_label": m.get_measure_type_display(),
        "control_level": m.control_level,
        "control_level_label": m.get_control_level_display(),
        "description": m.description,
        "responsible_person": m.responsible_person,
        "responsible_phone": m.responsible_phone,
    }


def _factor(value) -> int | float | None:
    return None if value is None else rules.plain_number(value)


def point_json(p: RiskPoint, detail: bool = False) -> dict:
    data = {
        "id": p.id,
        "unit": p.unit_id,
        "unit_name": p.unit.name,
        "enterprise": p.unit.enterprise_id,
        "enterprise_name": p.unit.enterprise.name,
        "name": p.name,
        "kind": p.kind,
        "method": p.method,
        "lec_l": _factor(p.lec_l),
        "lec_e": _factor(p.lec_e),
        "lec_c": _factor(p.lec_c),
        "ls_l": p.ls_l,
        "ls_s": p.ls_s,
        "score": rules.plain_number(p.score),
        "level": p.level,
        "level_label": p.get_level_display(),
        "colour": p.colour,
        "assessed_at": p.assessed_at.isoformat(),
    }
    if detail:
        data.update(
            hazard_factors=p.hazard_factors,
            consequences=p.consequences,
            assessment=services.assessment_of(p),
            measures=[measure_json(m) for m in p.measures.all()],
        )
    return data


def post_json(post: Post) -> dict:
    return {
        "id": post.id,
        "enterprise": post.enterprise_id,
        "enterprise_name": post.enterprise.name,
        "name": post.name,
        "duties": post.duties,
        "operating_steps": post.operating_steps,
        "emergency_steps": post.emergency_steps,
        "risk_points": sorted(p.pk for p in post.risk_points.all()),
    }


def _changes(payload: Schema) -> dict:
    return payload.dict(exclude_unset=True)


def _required(data: dict, name: str):
    if data.get(name) in (None, ""):
        raise ValidationError({name: _("This field is required.")})
    return data.pop(name)


def _units(request):
    return RiskUnit.objects.for_user(request.user).select_related("enterprise")


def _points(request):
    return RiskPoint.objects.for_user(request.user).select_related("unit__enterprise")


def _posts(request):
    return Post.objects.for_user(request.user).select_related("enterprise").prefetch_related("risk_points")


def _enterprise_in_scope(request, enterprise_id) -> Enterprise:
    enterprise = Enterprise.objects.for_user(request.user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise ValidationError({"enterprise": _("Unknown enterprise, or outside your jurisdiction.")})
    return enterprise


# --- risk units -----------------------------------------------------------------------------------


@router.get("/units", summary="Risk units in your jurisdiction")
def list_units(request):
    """Filters: q, enterprise (id), division; paging: page, page_size."""
    require_perm(request, "risk.view_riskunit")
    return page_of(filtered_or_400(RiskUnitFilterSet, request, _units(request)), request, unit_json)


@router.post("/units", response={201: dict}, summary="Create a risk unit")
def create_unit(request, payload: UnitIn):
    require_perm(request, "risk.add_riskunit")
    data = _changes(payload)
    enterprise = _enterprise_in_scope(request, _required(data, "enterprise"))
    data.setdefault("description", "")
    return Status(201, unit_json(services.create_unit(actor=request.user, enterprise=enterprise, **data)))


@router.get("/units/{int:unit_id}", summary="One risk unit")
def get_unit(request, unit_id: int):
    require_perm(request, "risk.view_riskunit")
    return unit_json(get_object_or_404(_units(request), pk=unit_id))


@router.patch("/units/{int:unit_id}", summary="Change a risk unit")
def update_unit(request, unit_id: int, payload: UnitIn):
    require_perm(request, "risk.change_riskunit")
    unit = get_object_or_404(_units(request), pk=unit_id)
    data = _changes(payload)
    data.pop("enterprise", None)
    return unit_json(services.update_unit(unit, actor=request.user, **data))


@router.delete("/units/{int:unit_id}", response={204: None}, summary="Delete a risk unit and its points")
def delete_unit(request, unit_id: int):
    require_perm(request, "risk.delete_riskunit")
    services.delete_unit(get_object_or_404(_units(request), pk=unit_id), actor=request.user)
    return Status(204, None)


# --- risk points ----------------------------------------------------------------------------------


@router.get("/points", summary="Risk points in your jurisdiction")
def list_points(request):
    """Filters: q, enterprise (id), unit (id), level (major|significant|general|low), kind, method (lec|ls),
    division (a town code gives that town), sort (name, enterprise, level, score, assessed_at)."""
    require_perm(request, "risk.view_riskpoint")
    return page_of(filtered_or_400(RiskPointFilterSet, request, _points(request)), request, point_json)


@router.post("/points", response={201: dict}, summary="Create a risk point (its level is computed)")
def create_point(request, payload: PointIn):
    """A factor outside its table gives 400 `invalid_data` naming the field (e.g. `lec_l`)."""
    require_perm(request, "risk.add_riskpoint")
    data = _changes(payload)
    unit_id = _required(data, "unit")
    unit = _units(request).filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({"unit": _("Unknown risk unit, or outside your jurisdiction.")})
    point = services.create_point(actor=request.user, unit=unit, **data)
    return Status(201, point_json(point, detail=True))


@router.get("/points/{int:point_id}", summary="One risk point with its assessment and measures")
def get_point(request, point_id: int):
    require_perm(request, "risk.view_riskpoint")
    return point_json(get_object_or_404(_points(request), pk=point_id), detail=True)


@router.patch("/points/{int:point_id}", summary="Change a risk point (re-graded)")
def update_point(request, point_id: int, payload: PointIn):
    require_perm(request, "risk.change_riskpoint")
    point = get_object_or_404(_points(request), pk=point_id)
    data = _changes(payload)
    if "unit" in data:
        raise ValidationError({"unit": _("This field cannot be changed here.")})
    return point_json(services.update_point(point, actor=request.user, **data), detail=True)


@router.delete("/points/{int:point_id}", response={204: None}, summary="Delete a risk point")
def delete_point(request, point_id: int):
    require_perm(request, "risk.delete_riskpoint")
    services.delete_point(get_object_or_404(_points(request), pk=point_id), actor=request.user)
    return Status(204, None)


# --- control measures -----------------------------------------------------------------------------


@router.get("/points/{int:point_id}/measures", summary="The control measures of a point")
def list_measures(request, point_id: int):
    require_perm(request, "risk.view_controlmeasure")
    point = get_object_or_404(_points(request), pk=point_id)
    return {"items": [measure_json(m) for m in point.measures.all()]}


@router.post("/points/{int:point_id}/measures", response={201: dict}, summary="Add a control measure")
def create_measure(request, point_id: int, payload: MeasureIn):
    require_perm(request, "risk.add_controlmeasure")
    point = get_object_or_404(_points(request), pk=point_id)
    data = {name: value for name, value in _changes(payload).items() if value is not None}
    data.setdefault("responsible_phone", "")
    return Status(201, measure_json(services.create_measure(actor=request.user, point=point, **data)))


def _measures(request):
    return ControlMeasure.objects.for_user(request.user).select_related("point__unit__enterprise")


@router.patch("/measures/{int:measure_id}", summary="Change a control measure")
def update_measure(request, measure_id: int, payload: MeasureIn):
    require_perm(request, "risk.change_controlmeasure")
    measure = get_object_or_404(_measures(request), pk=measure_id)
    return measure_json(services.update_measure(measure, actor=request.user, **_changes(payload)))


@router.delete("/measures/{int:measure_id}", response={204: None}, summary="Delete a control measure")
def delete_measure(request, measure_id: int):
    require_perm(request, "risk.delete_controlmeasure")
    services.delete_measure(get_object_or_404(_measures(request), pk=measure_id), actor=request.user)
    return Status(204, None)


# --- posts ----------------------------------------------------------------------------------------


@router.get("/posts", summary="Posts (岗位) in your jurisdiction")
def list_posts(request):
    """Filters: q, enterprise (id), division."""
    require_perm(request, "risk.view_post")
    return page_of(filtered_or_400(PostFilterSet, request, _posts(request)), request, post_json)


@router.post("/posts", response={201: dict}, summary="Create a post")
def create_post(request, payload: PostIn):
    require_perm(request, "risk.add_post")
    data = _changes(payload)
    enterprise = _enterprise_in_scope(request, _required(data, "enterprise"))
    data["risk_points"] = data.get("risk_points") or []
    data = {k: ("" if v is None else v) for k, v in data.items()}
    return Status(201, post_json(services.create_post(actor=request.user, enterprise=enterprise, **data)))


@router.get("/posts/{int:post_id}", summary="One post")
def get_post(request, post_id: int):
    require_perm(request, "risk.view_post")
    return post_json(get_object_or_404(_posts(request), pk=post_id))


@router.patch("/posts/{int:post_id}", summary="Change a post")
def update_post(request, post_id: int, payload: PostIn):
    require_perm(request, "risk.change_post")
    post = get_object_or_404(_posts(request), pk=post_id)
    data = _changes(payload)
    data.pop("enterprise", None)
    updated = services.update_post(post, actor=request.user, **data)
    return post_json(
        Post.objects.prefetch_related("risk_points").select_related("enterprise").get(pk=updated.pk)
    )


@router.delete("/posts/{int:post_id}", response={204: None}, summary="Delete a post")
def delete_post(request, post_id: int):
    require_perm(request, "risk.delete_post")
    services.delete_post(get_object_or_404(_posts(request), pk=post_id), actor=request.user)
    return Status(204, None)


# --- an enterprise's level ------------------------------------------------------------------------


@router.get("/enterprises/{int:enterprise_id}", summary="An enterprise's risk level and points per level")
def enterprise_risk(request, enterprise_id: int):
    """`level` is that of its highest point (null without points); `counts` per level."""
    require_perm(request, "risk.view_riskpoint")
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user), pk=enterprise_id)
    risk = EnterpriseRisk.objects.filter(enterprise=enterprise).first()
    counts = risk.counts if risk else dict.fromkeys(rules.LEVELS_LOW_TO_HIGH, 0)
    level = (risk.level if risk else "") or None
    return {
        "enterprise": enterprise.id,
        "name": enterprise.name,
        "level": level,
        "colour": rules.colour_of(level) if level else None,
        "counts": counts,
        "total": sum(counts.values()),
    }
