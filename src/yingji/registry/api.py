"""/api/v1/enterprises: the same filters as the list page (EnterpriseFilterSet), the same services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core import audit
from yingji.core.api import filtered_or_400, page_of, require_perm
from yingji.core.models import Division
from yingji.registry import services
from yingji.registry.filters import EnterpriseFilterSet
from yingji.registry.models import SUPERVISION_FLAGS, Enterprise

router = Router(tags=["enterprises"])


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    industry: str
    industry_label: str
    scale: str
    address: str
    longitude: float | None
    latitude: float | None
    division: str
    division_name: str
    legal_representative: str
    main_person: str
    main_person_phone: str = Field(
        description="Masked (138****1234) unless ?reveal=true and your role may see it"
    )
    safety_manager: str
    safety_manager_phone: str
    employees: int | None
    flags: dict[str, bool]
    standardization: str
    liability_insured: bool
    status: str
    status_label: str
    updated_at: str


class EnterpriseIn(Schema):
    name: str
    uscc: str
    industry: str
    division: str = Field(description="12-digit division code inside your jurisdiction")
    scale: str = "small"
    address: str = ""
    longitude: float | None = None
    latitude: float | None = None
    legal_representative: str = ""
    main_person: str = ""
    main_person_phone: str = ""
    safety_manager: str = ""
    safety_manager_phone: str = ""
    employees: int | None = Field(default=None, ge=0)
    flags: dict[str, bool] = Field(
        default_factory=dict, description=f"Any of: {', '.join(SUPERVISION_FLAGS)}"
    )
    standardization: str = "none"
    liability_insured: bool = False
    status: str = "operating"


class EnterprisePatch(Schema):
    name: str | None = None
    uscc: str | None = None
    industry: str | None = None
    division: str | None = None
    scale: str | None = None
    address: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    legal_representative: str | None = None
    main_person: str | None = None
    main_person_phone: str | None = None
    safety_manager: str | None = None
    safety_manager_phone: str | None = None
    employees: int | None = Field(default=None, ge=0)
    flags: dict[str, bool] | None = None
    standardization: str | None = None
    liability_insured: bool | None = None
    status: str | None = None


def serialize(e: Enterprise, reveal: bool = False) -> dict:
    return {
        "id": e.id,
        "name": e.name,
        "uscc": e.uscc,
        "industry": e.industry,
        "industry_label": e.get_industry_display(),
        "scale": e.scale,
        "address": e.address,
        "longitude": e.longitude,
        "latitude": e.latitude,
        "division": e.division_id,
        "division_name": e.division.name,
        "legal_representative": e.legal_representative,
        "main_person": e.main_person,
        "main_person_phone": e.main_person_phone if reveal else e.masked_main_person_phone,
        "safety_manager": e.safety_manager,
        "safety_manager_phone": e.safety_manager_phone if reveal else e.masked_safety_manager_phone,
        "employees": e.employees,
        "flags": {name: getattr(e, name) for name in SUPERVISION_FLAGS},
        "standardization": e.standardization,
        "liability_insured": e.liability_insured,
        "status": e.status,
        "status_label": e.get_status_display(),
        "updated_at": e.updated_at.isoformat(),
    }


def _scoped(request):
    return Enterprise.objects.for_user(request.user).prefetch_related("division")


def _model_fields(data: dict) -> dict:
    """Turn API input into service keyword arguments (flags spread out, division resolved)."""
    flags = data.pop("flags", None) or {}
    unknown = sorted(set(flags) - set(SUPERVISION_FLAGS))
    if unknown:
        raise ValidationError({"flags": _("Unknown flags: {names}.").format(names=", ".join(unknown))})
    data.update(flags)
    if "division" in data:
        division = Division.objects.filter(code=data["division"]).first()
        if division is None:
            raise ValidationError(
                {"division": _("Unknown division code {code}.").format(code=data["division"])}
            )
        data["division"] = division
    return data


@router.get("", summary="Enterprises in your jurisdiction (paginated; the list page's filters)")
def list_enterprises(request):
    """Filters: q, division, industry, status, scale, standardization, flag (repeatable), liability_insured,
    sort (e.g. `name`, `-updated_at`); paging: page, page_size (≤ 500)."""
    require_perm(request, "registry.view_enterprise")
    queryset = filtered_or_400(EnterpriseFilterSet, request, _scoped(request))
    return page_of(queryset, request, serialize)


@router.get("/{int:enterprise_id}", response=EnterpriseOut, summary="One enterprise")
def get_enterprise(request, enterprise_id: int, reveal: bool = False):
    """`?reveal=true` returns unmasked phones for roles that may see them; each such read is audited."""
    require_perm(request, "registry.view_enterprise")
    enterprise = get_object_or_404(_scoped(request), pk=enterprise_id)
    if reveal:
        require_perm(request, "core.view_sensitive")
        audit.record(
            "reveal", enterprise, user=request.user, note="api: main_person_phone, safety_manager_phone"
        )
    return serialize(enterprise, reveal=reveal)


@router.post("", response={201: EnterpriseOut}, summary="Create an enterprise")
def create_enterprise(request, payload: EnterpriseIn):
    require_perm(request, "registry.add_enterprise")
    enterprise = services.create_enterprise(actor=request.user, **_model_fields(payload.dict()))
    return Status(201, serialize(enterprise))


@router.patch("/{int:enterprise_id}", response=EnterpriseOut, summary="Change some fields of an enterprise")
def update_enterprise(request, enterprise_id: int, payload: EnterprisePatch):
    require_perm(request, "registry.change_enterprise")
    enterprise = get_object_or_404(_scoped(request), pk=enterprise_id)
    changes = _model_fields(payload.dict(exclude_unset=True))
    return serialize(services.update_enterprise(enterprise, actor=request.user, **changes))


@router.delete("/{int:enterprise_id}", response={204: None}, summary="Delete an enterprise")
def delete_enterprise(request, enterprise_id: int):
    require_perm(request, "registry.delete_enterprise")
    services.delete_enterprise(get_object_or_404(_scoped(request), pk=enterprise_id), actor=request.user)
    return Status(204, None)
