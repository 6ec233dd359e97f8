"""/api/v1/alerts/rosters: evacuation rosters, transfer rounds, their roll-ups and the marks.

Phones are masked unless `?reveal=true` and the role may see them (audited). A mark on a closed round
answers 409 `round_closed`; an impossible mark 409 `invalid_transition`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.alerts import rules_rosters, services_rosters
from yingji.alerts.forms_rosters import EvacueeFilterSet
from yingji.alerts.models import Evacuee, TransferRound, TransferStatus
from yingji.core import audit
from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.core.models import Division

router = Router(tags=["evacuation rosters"])
CONFLICT_CODES = ("round_closed", "invalid_transition")


class EvacueeIn(Schema):
    division: str = Field(default="", description="12-digit village code inside your jurisdiction")
    name: str = ""
    address: str = ""
    category: str = "other"
    phone: str = ""
    custodian_name: str = ""
    custodian_phone: str = ""
    shelter: str = Field(default="", description="Free text for now (no shelter registry yet)")
    note: str = ""
    active: bool = True


class MarkIn(Schema):
    status: str = Field(default="", description="moved | refused | not_home | returned")
    note: str = ""


def serialize_evacuee(e: Evacuee, reveal: bool = False) -> dict:
    return {
        "id": e.pk,
        "division": e.division_id,
        "division_name": e.division.name,
        "name": e.name,
        "address": e.address,
        "category": e.category,
        "phone": e.phone if reveal else e.masked_phone,
        "custodian_name": e.custodian_name,
        "custodian_phone": e.custodian_phone if reveal else e.masked_custodian_phone,
        "custodian_user": e.custodian_user_id,
        "shelter": e.shelter,
        "active": e.active,
    }


def serialize_round(r: TransferRound, prefix: str = "") -> dict:
    return {
        "id": r.pk,
        "warning": r.warning_id,
        "headline": r.warning.headline,
        "status": r.status,
        "started_at": r.started_at.isoformat(),
        "closed_at": r.closed_at.isoformat() if r.closed_at else None,
        "closed_by": r.closed_by_id,
        "totals": services_rosters.totals(r, prefix=prefix),
    }


def serialize_status(s: TransferStatus) -> dict:
    return {
        "id": s.pk,
        "round": s.round_id,
        "evacuee": s.evacuee_id,
        "name": s.evacuee.name,
        "division": s.division_id,
        "status": s.status,
        "marked_at": s.marked_at.isoformat() if s.marked_at else None,
        "marked_by": s.marked_by_id,
    }


def _division(code: str) -> Division:
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise ValidationError({"division": _("Unknown division code {code}.").format(code=code)})
    return division


@router.get("", summary="People on the rosters of your jurisdiction (paginated; the list page's filters)")
def list_evacuees(request):
    require_perm(request, "alerts.view_evacuee")
    queryset = Evacuee.objects.for_user(request.user).select_related("division")
    return page_of(filtered_or_400(EvacueeFilterSet, request, queryset), request, serialize_evacuee)


@router.post("", response={201: dict}, summary="Add a person to a village's roster")
def create_evacuee(request, payload: EvacueeIn):
    require_perm(request, "alerts.add_evacuee")
    data = payload.dict()
    data["division"] = _division(data["division"])
    return Status(201, serialize_evacuee(services_rosters.create_evacuee(actor=request.user, **data)))


@router.get("/rounds", summary="Transfer rounds you can see, with their totals inside your jurisdiction")
def list_rounds(request):
    require_perm(request, "alerts.view_transferround")
    queryset = services_rosters.visible_rounds(request.user).select_related("warning").order_by("-started_at")
    prefix = request.user.scope_prefix or ""
    return page_of(queryset, request, lambda r: serialize_round(r, prefix))


@router.post("/rounds/start/{int:warning_id}", response={201: dict}, summary="Start a round by hand")
def start_round(request, warning_id: int):
    from yingji.alerts.filters import visible_warnings

    require_perm(request, "alerts.add_transferround")
    warning = get_object_or_404(visible_warnings(request.user), pk=warning_id)
    round_ = services_rosters.start_round_by_hand(warning, actor=request.user)
    return Status(201, serialize_round(round_, request.user.scope_prefix or ""))


def _round(request, round_id: int) -> TransferRound:
    return get_object_or_404(
        services_rosters.visible_rounds(request.user).select_related("warning"), pk=round_id
    )


@router.get("/rounds/{int:round_id}", summary="One round: totals and lines by county, town and village")
def get_round(request, round_id: int):
    require_perm(request, "alerts.view_transferround")
    round_ = _round(request, round_id)
    prefix = request.user.scope_prefix or ""
    data = serialize_round(round_, prefix)
    for level in ("county", "town", "village"):
        data[f"by_{level}"] = services_rosters.rollup(round_, level, prefix=prefix)
    return data


@router.get("/rounds/{int:round_id}/statuses", summary="The people of a round in your jurisdiction")
def list_statuses(request, round_id: int, status: str = ""):
    require_perm(request, "alerts.view_transferround")
    round_ = _round(request, round_id)
    queryset = (
        TransferStatus.objects.for_user(request.user)
        .filter(round=round_)
        .select_related("evacuee")
        .order_by("division_id", "pk")
    )
    if status in rules_rosters.STATES:
        queryset = queryset.filter(status=status)
    return page_of(queryset, request, serialize_status)


@router.post("/rounds/{int:round_id}/close", summary="Close a round (who and when are recorded)")
def close_round(request, round_id: int):
    require_perm(request, "alerts.close_transferround")
    round_ = _round(request, round_id)
    try:
        closed = services_rosters.close_round(round_, actor=request.user)
    except ValidationError as error:
        raise ApiError(409, "round_closed", " ".join(error.messages)) from None
    return serialize_round(closed, request.user.scope_prefix or "")


@router.post(
    "/statuses/{int:status_id}/mark", summary="Mark a person moved, refused, not at home or returned"
)
def mark(request, status_id: int, payload: MarkIn):
    transfer = TransferStatus.objects.select_related("evacuee", "round").filter(pk=status_id).first()
    if transfer is None or not (
        services_rosters.may_mark(request.user, transfer)
        or TransferStatus.objects.for_user(request.user).filter(pk=status_id).exists()
    ):
        raise ApiError(404, "not_found", "Not found.")
    try:
        marked = services_rosters.mark(transfer, actor=request.user, status=payload.status, note=payload.note)
    except ValidationError as error:
        code = error.error_dict["status"][0].code if hasattr(error, "error_dict") else None
        if code in CONFLICT_CODES:
            raise ApiError(409, code, " ".join(error.messages), error.message_dict) from None
        raise
    return serialize_status(marked)


@router.get("/{int:evacuee_id}", summary="One person (phones masked unless ?reveal=true, audited)")
def get_evacuee(request, evacuee_id: int, reveal: bool = False):
    require_perm(request, "alerts.view_evacuee")
    evacuee = get_object_or_404(
        Evacuee.objects.for_user(request.user).select_related("division"), pk=evacuee_id
    )
    if reveal:
        require_perm(request, "core.view_sensitive")
        audit.record("reveal", evacuee, user=request.user, note="api: phone, custodian_phone")
    return serialize_evacuee(evacuee, reveal=reveal)
