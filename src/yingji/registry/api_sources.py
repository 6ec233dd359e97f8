"""/api/v1/sources: major hazard sources with the GB 18218 computation line by line (exact strings).

Errors are 400 `invalid_data` with `fields` keyed like the input: `name`, `exposed_population`,
`chemicals[2].categories` (0-based) ..."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core.api import filtered_or_400, page_of, require_perm
from yingji.registry import services_sources as services
from yingji.registry.filters_sources import SourceFilterSet
from yingji.registry.models import Enterprise, MajorHazardSource

router = Router(tags=["major hazard sources"])


class ChemicalIn(Schema):
    name: str = ""
    cas: str = ""
    categories: list[str] | str = Field(default_factory=list, description='Table 2 codes, e.g. ["J1", "W2"]')
    quantity_t: str | float | int | None = Field(default=None, description="Maximum quantity on site, tonnes")


class SourceIn(Schema):
    # Optional here so that a caller without permission gets 403, not a validation error;
    # the view and the service require them.
    enterprise: int | None = Field(default=None, description="The enterprise's id (required)")
    name: str = Field(default="", description="Unique within the enterprise (required)")
    code: str = ""
    category: str = "hazchem"
    kind: str = Field(default="", description="production or storage (hazardous-chemical units)")
    exposed_population: int = Field(default=0, description="People within 500 m (decides α)")
    location: str = ""
    longitude: float | None = None
    latitude: float | None = None
    status: str = "in_use"
    chemicals: list[ChemicalIn] = Field(default_factory=list)


class SourcePatch(Schema):
    name: str | None = None
    code: str | None = None
    category: str | None = None
    kind: str | None = None
    exposed_population: int | None = None
    location: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    status: str | None = None
    chemicals: list[ChemicalIn] | None = Field(default=None, description="When given, replaces all chemicals")


def serialize(source: MajorHazardSource, full: bool = False) -> dict:
    data = {
        "id": source.id,
        "enterprise": source.enterprise_id,
        "enterprise_name": source.enterprise.name,
        "division": source.division_id,
        "name": source.name,
        "code": source.code,
        "category": source.category,
        "kind": source.kind,
        "exposed_population": source.exposed_population,
        "status": source.status,
        "is_major": source.is_major,
        "grade": source.grade,
        "S": (source.assessment or {}).get("S"),
        "R": (source.assessment or {}).get("R"),
        "assessed_at": source.assessed_at.isoformat() if source.assessed_at else None,
        "updated_at": source.updated_at.isoformat(),
    }
    if full:
        data.update(
            location=source.location,
            longitude=source.longitude,
            latitude=source.latitude,
            chemicals=[
                {
                    "name": c.name,
                    "cas": c.cas,
                    "categories": services.parse_categories(c.categories),
                    "quantity_t": c.quantity_text,
                }
                for c in source.chemicals.all()
            ],
            assessment=source.assessment,
        )
    return data


def _scoped(request):
    return MajorHazardSource.objects.for_user(request.user).select_related("enterprise")


def _enterprise(request, enterprise_id: int | None) -> Enterprise:
    if enterprise_id is None:
        raise ValidationError({"enterprise": _("The enterprise is required.")})
    enterprise = Enterprise.objects.for_user(request.user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise ValidationError(
            {"enterprise": _("No enterprise {id} in your jurisdiction.").format(id=enterprise_id)}
        )
    return enterprise


def _chemicals(items) -> list[dict] | None:
    return None if items is None else [item.dict() for item in items]


@router.get("", summary="Major hazard sources in your jurisdiction (paginated)")
def list_sources(request):
    """Filters: q, enterprise (id), division (code), category, is_major (true/false), grade (1–4), status,
    sort (e.g. `grade`, `-r_value`); paging: page, page_size (≤ 500)."""
    require_perm(request, "registry.view_majorhazardsource")
    queryset = filtered_or_400(SourceFilterSet, request, _scoped(request))
    return page_of(queryset, request, serialize)


@router.get("/{int:source_id}", summary="One source with its chemicals and the whole GB 18218 computation")
def get_source(request, source_id: int):
    require_perm(request, "registry.view_majorhazardsource")
    return serialize(get_object_or_404(_scoped(request), pk=source_id), full=True)


@router.post(
    "", response={201: dict}, summary="Register a source (with its chemicals); it is assessed at once"
)
def create_source(request, payload: SourceIn):
    require_perm(request, "registry.add_majorhazardsource")
    data = payload.dict()
    chemicals = _chemicals(payload.chemicals)
    data.pop("chemicals")
    data["enterprise"] = _enterprise(request, data["enterprise"])
    source = services.create_source(actor=request.user, chemicals=chemicals, **data)
    return Status(201, serialize(source, full=True))


@router.patch("/{int:source_id}", summary="Change a source; `chemicals`, when given, replaces them all")
def update_source(request, source_id: int, payload: SourcePatch):
    require_perm(request, "registry.change_majorhazardsource")
    source = get_object_or_404(_scoped(request), pk=source_id)
    data = payload.dict(exclude_unset=True)
    chemicals = _chemicals(payload.chemicals) if "chemicals" in data else None
    data.pop("chemicals", None)
    source = services.update_source(source, actor=request.user, chemicals=chemicals, **data)
    return serialize(source, full=True)


@router.delete("/{int:source_id}", response={204: None}, summary="Delete a source")
def delete_source(request, source_id: int):
    require_perm(request, "registry.delete_majorhazardsource")
    services.delete_source(get_object_or_404(_scoped(request), pk=source_id), actor=request.user)
    return Status(204, None)
