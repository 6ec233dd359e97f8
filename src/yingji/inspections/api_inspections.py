"""/api/v1/inspections: checklist templates (read), inspections (create, list, detail), item results
(with photos), free findings, finishing (which makes the hidden dangers), and QR check-ins (read).

Errors: 400 `invalid_data` with `fields` (e.g. `results` when items are unanswered, `photos`, `item`);
403 `not_inspector` when the caller is not one of the inspection's inspectors; 409 `finished` for a
finished inspection.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from yingji.accounts.models import User
from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.inspections import services_inspections as services
from yingji.inspections.filters_inspections import (
    CheckInFilterSet,
    ChecklistTemplateFilterSet,
    InspectionFilterSet,
)
from yingji.inspections.models_checklists import CheckIn, ChecklistTemplate, Inspection
from yingji.inspections.rules_inspections import InspectionRefused
from yingji.registry.models import Enterprise

router = Router(tags=["inspections"])


# -- serializers ------------------------------------------------------------------------------------


def serialize_item(item) -> dict:
    return {
        "id": item.id,
        "number": item.number,
        "text": item.text,
        "legal_basis": item.legal_basis,
        "is_major_criterion": item.is_major_criterion,
        "criterion": item.criterion.code if item.criterion_id else None,
        "default_deadline_days": item.default_deadline_days,
    }


def serialize_template(template: ChecklistTemplate, full: bool = False) -> dict:
    data = {
        "id": template.id,
        "code": template.code,
        "name": template.name,
        "topic": template.topic,
        "industries": template.industries,
        "version": template.version,
        "status": template.status,
        "division": template.division_id,
        "updated_at": template.updated_at.isoformat(),
    }
    if full:
        data["description"] = template.description
        data["items"] = [serialize_item(i) for i in template.items.select_related("criterion")]
    return data


def serialize_inspection(inspection: Inspection, full: bool = False) -> dict:
    data = {
        "id": inspection.id,
        "enterprise": inspection.enterprise_id,
        "enterprise_name": inspection.enterprise.name,
        "division": inspection.division_id,
        "template": inspection.template_id,
        "kind": inspection.kind,
        "status": inspection.status,
        "started_at": inspection.started_at.isoformat(),
        "finished_at": inspection.finished_at.isoformat() if inspection.finished_at else None,
        "inspectors": [u.pk for u in inspection.inspectors.all()],
        "latitude": inspection.latitude,
        "longitude": inspection.longitude,
        "summary": inspection.summary,
    }
    if full:
        results = {r.item_id: r for r in inspection.results.prefetch_related("photos")}
        data["items"] = [
            {
                **serialize_item(item),
                "result": results[item.pk].result if item.pk in results else None,
                "note": results[item.pk].note if item.pk in results else "",
                "photos": [p.pk for p in results[item.pk].photos.all()] if item.pk in results else [],
            }
            for item in services.template_items(inspection)
        ]
        data["findings"] = [
            {
                "id": f.id,
                "item": f.item_id,
                "description": f.description,
                "legal_basis": f.legal_basis,
                "is_major": f.is_major,
                "criterion": f.criterion.code if f.criterion_id else None,
                "deadline": f.deadline.isoformat(),
                "hazard": f.hazard_id,
            }
            for f in inspection.findings.select_related("criterion")
        ]
    return data


def serialize_check_in(check_in: CheckIn) -> dict:
    return {
        "id": check_in.id,
        "enterprise": check_in.enterprise_id,
        "user": check_in.user_id,
        "at": check_in.at.isoformat(),
        "purpose": check_in.purpose,
        "latitude": check_in.latitude,
        "longitude": check_in.longitude,
        "accuracy_m": check_in.accuracy_m,
        "distance_m": check_in.distance_m,
        "is_far": check_in.is_far,
        "inspection": check_in.inspection_id,
    }


def _require_recorder(request) -> None:
    """Recording takes the right to add inspections (and being on the team: checked by the services)."""
    require_perm(request, "inspections.view_inspection")
    require_perm(request, "inspections.add_inspection")


def _refused(refused: InspectionRefused) -> ApiError:
    return ApiError(refused.status, refused.code, refused.message)


def _templates(request):
    return ChecklistTemplate.objects.for_user(request.user)


def _inspections(request):
    return (
        Inspection.objects.for_user(request.user).select_related("enterprise").prefetch_related("inspectors")
    )


# -- templates --------------------------------------------------------------------------------------


@router.get("/templates", summary="Checklist templates you may use (paginated)")
def list_templates(request):
    """Filters: q, topic, status (draft/active/retired), code, id, sort."""
    require_perm(request, "inspections.view_checklisttemplate")
    queryset = filtered_or_400(ChecklistTemplateFilterSet, request, _templates(request))
    return page_of(queryset, request, serialize_template)


@router.get("/templates/{int:template_id}", summary="One checklist template with its items")
def get_template(request, template_id: int):
    require_perm(request, "inspections.view_checklisttemplate")
    return serialize_template(get_object_or_404(_templates(request), pk=template_id), full=True)


# -- check-ins --------------------------------------------------------------------------------------


@router.get("/check-ins", summary="QR check-ins (paginated)")
def list_check_ins(request):
    """Filters: division, enterprise, purpose, is_far (true/false), sort."""
    require_perm(request, "inspections.view_checkin")
    queryset = filtered_or_400(CheckInFilterSet, request, CheckIn.objects.for_user(request.user))
    return page_of(queryset, request, serialize_check_in)


# -- inspections ------------------------------------------------------------------------------------


class InspectionIn(Schema):
    enterprise: int | None = Field(default=None, description="The enterprise's id (required)")
    template: int | None = Field(default=None, description="An active checklist template's id")
    kind: str = "routine"
    inspectors: list[int] = Field(default_factory=list, description="Other inspectors' user ids")
    latitude: float | None = None
    longitude: float | None = None
    summary: str = ""


class ResultIn(Schema):
    item: int
    result: str = Field(description="pass, fail or na")
    note: str = ""


class ResultsIn(Schema):
    results: list[ResultIn] = Field(default_factory=list)


class FindingIn(Schema):
    description: str = ""
    legal_basis: str = ""
    is_major: bool = False
    criterion: str | None = Field(default=None, description="A 判定标准 criterion code (required when major)")
    deadline: datetime.date | None = None


class FinishIn(Schema):
    summary: str | None = None


@router.get("", summary="Inspections in your jurisdiction (paginated)")
def list_inspections(request):
    """Filters: q, division, enterprise, status, kind, started_after, started_before, mine, sort."""
    require_perm(request, "inspections.view_inspection")
    queryset = filtered_or_400(InspectionFilterSet, request, _inspections(request))
    return page_of(queryset, request, serialize_inspection)


@router.post("", response={201: dict}, summary="Start an inspection; the caller is one of its inspectors")
def create_inspection(request, payload: InspectionIn):
    require_perm(request, "inspections.add_inspection")
    if payload.enterprise is None:
        raise ValidationError({"enterprise": _("The enterprise is required.")})
    enterprise = Enterprise.objects.for_user(request.user).filter(pk=payload.enterprise).first()
    if enterprise is None:
        raise ValidationError(
            {"enterprise": _("No enterprise {id} in your jurisdiction.").format(id=payload.enterprise)}
        )
    template = None
    if payload.template is not None:
        template = _templates(request).filter(pk=payload.template).first()
        if template is None:
            raise ValidationError({"template": _("Unknown checklist {id}.").format(id=payload.template)})
    others = list(User.objects.filter(pk__in=payload.inspectors))
    if len(others) != len(set(payload.inspectors)):
        raise ValidationError({"inspectors": _("Unknown user.")})
    inspection = services.start_inspection(
        actor=request.user,
        enterprise=enterprise,
        template=template,
        kind=payload.kind,
        inspectors=others,
        latitude=payload.latitude,
        longitude=payload.longitude,
        summary=payload.summary,
    )
    return Status(201, serialize_inspection(inspection, full=True))


@router.get("/{int:inspection_id}", summary="One inspection with its items, results and findings")
def get_inspection(request, inspection_id: int):
    require_perm(request, "inspections.view_inspection")
    return serialize_inspection(get_object_or_404(_inspections(request), pk=inspection_id), full=True)


@router.post("/{int:inspection_id}/results", summary="Record item results (all or none)")
def record_results(request, inspection_id: int, payload: ResultsIn):
    _require_recorder(request)
    inspection = get_object_or_404(_inspections(request), pk=inspection_id)
    try:
        with transaction.atomic():
            for index, row in enumerate(payload.results):
                try:
                    services.record_result(
                        actor=request.user,
                        inspection=inspection,
                        item=row.item,
                        result=row.result,
                        note=row.note,
                    )
                except ValidationError as error:
                    raise ValidationError(
                        {f"results[{index}].{k}": v for k, v in error.message_dict.items()}
                    ) from None
    except InspectionRefused as refused:
        raise _refused(refused) from None
    return serialize_inspection(get_object_or_404(_inspections(request), pk=inspection_id), full=True)


@router.post(
    "/{int:inspection_id}/results/{int:checklistitem_id}/photos", summary="Add photos to an item's result"
)
def add_photos(request, inspection_id: int, checklistitem_id: int, photos: File[list[UploadedFile]] = None):
    """Multipart `photos` (JPEG, PNG or WebP). The item must have a result already; the result is kept."""
    _require_recorder(request)
    item_id = checklistitem_id
    inspection = get_object_or_404(_inspections(request), pk=inspection_id)
    current = inspection.results.filter(item_id=item_id).first()
    if current is None:
        raise ValidationError({"item": _("Record the item's result first.")})
    if not photos:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    try:
        row = services.record_result(
            actor=request.user,
            inspection=inspection,
            item=item_id,
            result=current.result,
            note=current.note,
            photos=photos,
        )
    except InspectionRefused as refused:
        raise _refused(refused) from None
    return {"item": item_id, "photos": [p.pk for p in row.photos.all()]}


@router.post("/{int:inspection_id}/findings", response={201: dict}, summary="Add a free finding")
def add_finding(request, inspection_id: int, payload: FindingIn):
    _require_recorder(request)
    inspection = get_object_or_404(_inspections(request), pk=inspection_id)
    try:
        finding = services.add_finding(
            actor=request.user,
            inspection=inspection,
            description=payload.description,
            legal_basis=payload.legal_basis,
            is_major=payload.is_major,
            criterion=payload.criterion,
            deadline=payload.deadline,
        )
    except InspectionRefused as refused:
        raise _refused(refused) from None
    return Status(201, {"id": finding.pk, "deadline": finding.deadline.isoformat()})


@router.post("/{int:inspection_id}/finish", summary="Finish: failed items and findings become hidden dangers")
def finish(request, inspection_id: int, payload: FinishIn):
    _require_recorder(request)
    inspection = get_object_or_404(_inspections(request), pk=inspection_id)
    try:
        inspection = services.finish_inspection(
            actor=request.user, inspection=inspection, summary=payload.summary
        )
    except InspectionRefused as refused:
        raise _refused(refused) from None
    return serialize_inspection(get_object_or_404(_inspections(request), pk=inspection.pk), full=True)
