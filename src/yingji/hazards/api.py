"""/api/v1/hazards: the closed loop for machines and the mobile app — the list page's filters
(HazardFilterSet), the same services, and `allowed_actions` deciding what may be done.

A refused action is a 409 `{"code": <rules code>, "message": <reason>, "fields": {}}` (403 `forbidden`
when the role lacks the permission); invalid fields are a 400 `invalid_data` naming them.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.core.models import Division
from yingji.hazards import rules, services
from yingji.hazards.filters import HazardFilterSet
from yingji.hazards.models import Hazard, HazardCriterion, PhotoKind
from yingji.hazards.rules import TransitionError
from yingji.registry.models import Enterprise

router = Router(tags=["hidden dangers"])


class HazardIn(Schema):
    title: str = ""
    source: str = Field("", description="self_check, inspection, public_report, monitoring or other")
    enterprise: int | None = Field(None, description="Enterprise ID (enterprise users: always their own)")
    division: str | None = Field(None, description="12-digit division code, when there is no enterprise")
    description: str = ""
    location: str = ""
    grade: str = Field("general", description="general or major (major needs criteria)")
    criteria: list[str] = Field(default_factory=list, description="Criterion codes, e.g. chem-2017-4")
    note: str = ""


class ActionIn(Schema):
    """The fields of every action; each action reads its own (see docs/api.md)."""

    note: str = ""
    grade: str | None = None
    treatment: str | None = None
    due_at: datetime.datetime | None = None
    criteria: list[str] | None = None
    measures: str = ""
    responsible: str = ""
    funds: Decimal | None = None
    contingency: str = ""
    level: str | None = None
    authority: str | None = Field(None, description="Division code of the supervising authority")
    unit: str = ""
    document_no: str = ""
    new_due_at: datetime.datetime | None = None
    reason: str = ""
    approve: bool | None = None


def _aware(value):
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _when(value) -> str | None:
    return value.isoformat() if value else None


def serialize(h: Hazard, now: datetime.datetime | None = None) -> dict:
    return {
        "id": h.id,
        "title": h.title,
        "enterprise": h.enterprise_id,
        "enterprise_name": h.enterprise.name if h.enterprise_id else "",
        "division": h.division_id,
        "division_name": h.division.name,
        "industry": h.industry,
        "location": h.location,
        "source": h.source,
        "source_label": str(h.get_source_display()),
        "grade": h.grade,
        "grade_label": str(h.get_grade_display()),
        "treatment": h.treatment,
        "status": h.status,
        "status_label": str(h.get_status_display()),
        "due_at": _when(h.due_at),
        "overdue": rules.is_overdue(h, now or timezone.now()),
        "is_supervised": h.is_supervised,
        "rejections": h.rejections,
        "reported_at": _when(h.reported_at),
        "confirmed_at": _when(h.confirmed_at),
        "submitted_at": _when(h.submitted_at),
        "closed_at": _when(h.closed_at),
    }


def serialize_full(h: Hazard, user) -> dict:
    listing = services.active_supervision(h)
    extension = services.pending_extension(h)
    return {
        **serialize(h),
        "description": h.description,
        "plan": {
            "measures": h.plan_measures,
            "responsible": h.plan_responsible,
            "funds": str(h.plan_funds) if h.plan_funds is not None else None,
            "contingency": h.plan_contingency,
        },
        "rectification_note": h.rectification_note,
        "criteria": [{"code": c.code, "short": c.short, "source": c.source} for c in h.criteria.all()],
        "allowed_actions": services.allowed_actions(h, user),
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": str(e.actor) if e.actor else "",
                "at": _when(e.at),
                "note": e.note,
            }
            for e in h.events.select_related("actor")
        ],
        "photos": [
            {
                "id": p.id,
                "kind": p.kind,
                "content_type": p.content_type,
                "width": p.width,
                "height": p.height,
                "url": reverse("hazards:hazard_photo", args=[h.pk, p.pk]),
            }
            for p in h.photos.all()
        ],
        "supervision": None
        if listing is None
        else {
            "level": listing.level,
            "authority": listing.authority_id,
            "unit": listing.unit,
            "document_no": listing.document_no,
            "due_at": _when(listing.due_at),
            "listed_at": _when(listing.listed_at),
        },
        "extension_request": None
        if extension is None
        else {
            "old_due_at": _when(extension.old_due_at),
            "new_due_at": _when(extension.new_due_at),
            "reason": extension.reason,
            "requested_at": _when(extension.requested_at),
        },
    }


def _scoped(request):
    return Hazard.objects.for_user(request.user)


def _hazard(request, hazard_id: int) -> Hazard:
    return get_object_or_404(_scoped(request).select_related("enterprise", "division"), pk=hazard_id)


@contextmanager
def _refusals():
    """TransitionError → 409 with its code and reason (403 when it is only a missing permission)."""
    try:
        yield
    except TransitionError as error:
        raise ApiError(403 if error.code == "forbidden" else 409, error.code, error.reason) from None


@router.get("", summary="Hidden dangers in your jurisdiction (paginated; the list page's filters)")
def list_hazards(request):
    """Filters: q, status, grade, source, division (code prefix), enterprise (ID), overdue=yes,
    supervised=yes, reported_from / reported_to (YYYY-MM-DD), sort (e.g. `-reported_at`, `due_at`);
    paging: page, page_size (≤ 500)."""
    require_perm(request, "hazards.view_hazard")
    queryset = filtered_or_400(
        HazardFilterSet, request, _scoped(request).prefetch_related("enterprise", "division")
    )
    now = timezone.now()
    return page_of(queryset, request, lambda h: serialize(h, now))


@router.get("/criteria", summary="The major-hazard criteria (判定标准) with their clauses")
def list_criteria(request):
    require_perm(request, "hazards.view_hazard")
    return [
        {
            "code": c.code,
            "standard": c.standard,
            "number": c.number,
            "short": c.short,
            "text": c.text,
            "source": c.source,
        }
        for c in HazardCriterion.objects.order_by("standard", "number")
    ]


@router.get("/{int:hazard_id}", summary="One hidden danger with its events, photos and allowed actions")
def get_hazard(request, hazard_id: int):
    require_perm(request, "hazards.view_hazard")
    return serialize_full(_hazard(request, hazard_id), request.user)


@router.post("", response={201: dict}, summary="Report a hidden danger (photos: POST them afterwards)")
def report_hazard(request, payload: HazardIn):
    require_perm(request, "hazards.add_hazard")
    data = payload.dict()
    enterprise = division = None
    if data.pop("enterprise") is not None:
        enterprise = Enterprise.objects.for_user(request.user).filter(pk=payload.enterprise).first()
        if enterprise is None:
            raise ApiError(
                400,
                "invalid_data",
                _("The data is not valid."),
                {"enterprise": [_("Unknown enterprise, or outside your jurisdiction.")]},
            )
    code = data.pop("division")
    if code:
        division = Division.objects.filter(code=code).first()
        if division is None:
            raise ApiError(
                400, "invalid_data", _("The data is not valid."), {"division": [_("Unknown division code.")]}
            )
    hazard = services.report_hazard(actor=request.user, enterprise=enterprise, division=division, **data)
    return Status(201, serialize_full(_hazard(request, hazard.pk), request.user))


@router.post("/{int:hazard_id}/photos", response={201: dict}, summary="Add photos to a hidden danger")
def add_photos(request, hazard_id: int, photos: File[list[UploadedFile]] = None, kind: Form[str] = "before"):
    """Multipart: one or more `photos` (JPEG, PNG or WebP), `kind` = before, after or document."""
    hazard = _hazard(request, hazard_id)
    if not any(request.user.has_perm(p) for p in ("hazards.add_hazard", "hazards.rectify_hazard")):
        raise PermissionDenied
    if kind not in PhotoKind.values:
        kind = ""  # the service names the field
    with _refusals():
        services.add_photos(hazard, actor=request.user, photos=photos or [], kind=kind)
    return Status(201, serialize_full(_hazard(request, hazard_id), request.user))


@router.post("/{int:hazard_id}/actions/{action}", summary="Take an action of the closed loop")
def take_action(request, hazard_id: int, action: str, payload: ActionIn):
    """`action`: confirm, start, submit, reject, verify, sign_off, list, request_extension,
    decide_extension; the body holds that action's fields (docs/api.md). Only the actions in the
    hazard's `allowed_actions` succeed; any other is a 409 with the reason (403 without permission)."""
    hazard = _hazard(request, hazard_id)
    if action not in rules.PERMISSIONS:
        raise ApiError(404, "unknown_action", _("Unknown action."))
    data = {key: _aware(value) for key, value in payload.dict().items()}
    with _refusals():
        services.perform_action(hazard, action, actor=request.user, data=data)
    return serialize_full(_hazard(request, hazard_id), request.user)
