"""/api/v1/enforcement: rectification orders, re-inspections, penalties, suspensions, leads, documents
(DOCX download) and document number patterns.

Reads go through `for_user` and the list pages' FilterSets; changes through services_enforcement. A
refused action is a 409 `{"code": <rules code>, "message": <reason>, "fields": {}}` (403 `forbidden` when
the role lacks the permission); invalid fields are a 400 `invalid_data` naming them.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.core.models import Division
from yingji.inspections import documents
from yingji.inspections import rules_enforcement as rules
from yingji.inspections import services_enforcement as services
from yingji.inspections.filters_enforcement import (
    DocumentFilterSet,
    LeadFilterSet,
    OrderFilterSet,
    PatternFilterSet,
    PenaltyFilterSet,
    ReinspectionFilterSet,
    SuspensionFilterSet,
)
from yingji.inspections.models_checklists import Inspection
from yingji.inspections.models_enforcement import (
    EnforcementDocument,
    EnforcementLead,
    NumberPattern,
    PenaltyCase,
    RectificationOrder,
    Reinspection,
    Suspension,
)
from yingji.inspections.rules_enforcement import TransitionError
from yingji.registry.models import Enterprise

router = Router(tags=["enforcement"])


@contextmanager
def refusals():
    try:
        yield
    except TransitionError as refusal:
        raise ApiError(refusal.status, refusal.code, refusal.reason) from None


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _scoped(model_or_queryset, request, pk):
    """The object in the user's jurisdiction, or 404 (a model, or a queryset with its joins)."""
    queryset = getattr(model_or_queryset, "objects", model_or_queryset)
    return get_object_or_404(queryset.for_user(request.user), pk=pk)


def _in_scope_or_400(model, request, pk, field: str):
    if pk is None:
        return None
    obj = model.objects.for_user(request.user).filter(pk=pk).first()
    if obj is None:
        raise ApiError(
            400, "invalid_data", _("The data is not valid."), {field: [_("Not found in your jurisdiction.")]}
        )
    return obj


# -- serializers ------------------------------------------------------------------------------------


def doc_ref(d: EnforcementDocument) -> dict:
    return {"id": d.id, "kind": d.kind, "title": d.title, "number": d.number, "issued_at": _when(d.issued_at)}


def order_out(o: RectificationOrder, user=None) -> dict:
    data = {
        "id": o.id,
        "inspection": o.inspection_id,
        "enterprise": o.enterprise_id,
        "enterprise_name": o.enterprise.name,
        "division": o.division_id,
        "deadline": o.deadline.isoformat(),
        "status": o.status,
        "status_label": str(o.get_status_display()),
        "overdue": rules.is_overdue(o, timezone.localdate()),
        "requirements": o.requirements,
        "issued_at": _when(o.issued_at),
        "closed_at": _when(o.closed_at),
    }
    if user is not None:
        data["findings"] = [
            {
                "id": f.id,
                "description": f.description,
                "legal_basis": f.legal_basis,
                "deadline": f.deadline.isoformat(),
            }
            for f in o.inspection.findings.order_by("id")
        ]
        data["documents"] = [doc_ref(d) for d in o.documents.order_by("issued_at", "id")]
        data["reinspections"] = [r.id for r in o.reinspections.order_by("performed_at", "id")]
        data["allowed_actions"] = services.order_actions(o, user)
    return data


def reinspection_out(r: Reinspection) -> dict:
    return {
        "id": r.id,
        "order": r.order_id,
        "enterprise": r.enterprise_id,
        "performed_at": _when(r.performed_at),
        "performed_by": r.performed_by_id,
        "note": r.note,
        "results": [{"finding": x.finding_id, "result": x.result, "note": x.note} for x in r.results.all()],
        "documents": [doc_ref(d) for d in r.documents.all()],
    }


def penalty_out(p: PenaltyCase, user=None) -> dict:
    data = {
        "id": p.id,
        "enterprise": p.enterprise_id,
        "enterprise_name": p.enterprise.name,
        "division": p.division_id,
        "order": p.order_id,
        "facts": p.facts,
        "violation": p.violation,
        "legal_basis": p.legal_basis,
        "amount": str(p.amount) if p.amount is not None else None,
        "discretion": p.discretion,
        "status": p.status,
        "payment_status": p.payment_status,
        "opened_at": _when(p.opened_at),
        "decided_at": _when(p.decided_at),
        "paid_at": _when(p.paid_at),
        "closed_at": _when(p.closed_at),
    }
    if user is not None:
        data["findings"] = list(p.findings.values_list("id", flat=True))
        data["documents"] = [doc_ref(d) for d in p.documents.order_by("issued_at", "id")]
        data["allowed_actions"] = services.penalty_actions(p, user)
    return data


def suspension_out(s: Suspension) -> dict:
    return {
        "id": s.id,
        "enterprise": s.enterprise_id,
        "penalty": s.penalty_id,
        "reason": s.reason,
        "legal_basis": s.legal_basis,
        "status": s.status,
        "started_at": _when(s.started_at),
        "lifted_at": _when(s.lifted_at),
        "lift_note": s.lift_note,
    }


def lead_out(lead: EnforcementLead) -> dict:
    return {
        "id": lead.id,
        "enterprise": lead.enterprise_id,
        "enterprise_name": lead.enterprise.name,
        "division": lead.division_id,
        "source": lead.source,
        "summary": lead.summary,
        "origin": (
            {"type": f"{lead.origin_type.app_label}.{lead.origin_type.model}", "id": lead.origin_id}
            if lead.origin_type_id
            else None
        ),
        "status": lead.status,
        "inspection": lead.inspection_id,
        "dismiss_reason": lead.dismiss_reason,
        "created_at": _when(lead.created_at),
        "closed_at": _when(lead.closed_at),
    }


def document_out(d: EnforcementDocument, full: bool = False) -> dict:
    data = {
        **doc_ref(d),
        "year": d.year,
        "seq": d.seq,
        "enterprise": d.enterprise_id,
        "inspection": d.inspection_id,
        "order": d.order_id,
        "reinspection": d.reinspection_id,
        "penalty": d.penalty_id,
        "suspension": d.suspension_id,
    }
    if full:
        data["content"] = d.content
    return data


def pattern_out(p: NumberPattern) -> dict:
    example = rules.format_number(
        p.pattern, abbr=p.abbr or "区", code=p.code or rules.DOCUMENT_CODES[p.kind], year=2026, seq=12
    )
    return {
        "id": p.id,
        "division": p.division_id,
        "kind": p.kind,
        "pattern": p.pattern,
        "abbr": p.abbr,
        "code": p.code,
        "example": example,
    }


# -- orders -----------------------------------------------------------------------------------------

ORDERS = RectificationOrder.objects.select_related("enterprise", "inspection")


@router.get("/orders")
def list_orders(request):
    require_perm(request, "inspections.view_rectificationorder")
    queryset = filtered_or_400(OrderFilterSet, request, ORDERS.for_user(request.user))
    return page_of(queryset, request, order_out)


@router.get("/orders/{order_id}")
def get_order(request, order_id: int):
    require_perm(request, "inspections.view_rectificationorder")
    return order_out(_scoped(ORDERS, request, order_id), request.user)


class OrderIn(Schema):
    inspection: int | None = None
    deadline: datetime.date | None = Field(None, description="Default: the latest deadline of the findings")
    requirements: str = ""


@router.post("/orders", response={201: dict})
def create_order(request, payload: OrderIn):
    require_perm(request, "inspections.add_rectificationorder")
    inspection = _in_scope_or_400(Inspection, request, payload.inspection, "inspection")
    with refusals():
        order = services.issue_order(
            actor=request.user,
            inspection=inspection,
            deadline=payload.deadline,
            requirements=payload.requirements,
        )
    return Status(201, order_out(order, request.user))


class FactsIn(Schema):
    facts: str = ""


@router.post("/orders/{order_id}/close")
def close_order(request, order_id: int):
    order = _scoped(RectificationOrder, request, order_id)
    with refusals():
        order = services.close_order(order, actor=request.user)
    return order_out(order, request.user)


@router.post("/orders/{order_id}/refer-penalty", response={201: dict})
def refer_penalty(request, order_id: int, payload: FactsIn):
    order = _scoped(RectificationOrder, request, order_id)
    with refusals():
        penalty = services.refer_penalty(order, actor=request.user, facts=payload.facts)
    return Status(201, penalty_out(penalty, request.user))


# -- re-inspections ---------------------------------------------------------------------------------


@router.get("/reinspections")
def list_reinspections(request):
    require_perm(request, "inspections.view_reinspection")
    queryset = Reinspection.objects.for_user(request.user).prefetch_related("results", "documents")
    return page_of(filtered_or_400(ReinspectionFilterSet, request, queryset), request, reinspection_out)


@router.get("/reinspections/{reinspection_id}")
def get_reinspection(request, reinspection_id: int):
    require_perm(request, "inspections.view_reinspection")
    return reinspection_out(_scoped(Reinspection, request, reinspection_id))


class ResultIn(Schema):
    finding: int
    result: str = Field(..., description="rectified or not_rectified")
    note: str = ""


class ReinspectionIn(Schema):
    order: int | None = Field(None, description="The order re-inspected (or give its inspection)")
    inspection: int | None = None
    results: list[ResultIn] = Field(default_factory=list)
    note: str = ""


@router.post("/reinspections", response={201: dict})
def create_reinspection(request, payload: ReinspectionIn):
    require_perm(request, "inspections.add_reinspection")
    order = _in_scope_or_400(RectificationOrder, request, payload.order, "order")
    inspection = _in_scope_or_400(Inspection, request, payload.inspection, "inspection")
    with refusals():
        reinspection = services.reinspect(
            actor=request.user,
            order=order,
            inspection=inspection,
            results=[(r.finding, r.result) for r in payload.results],
            notes={r.finding: r.note for r in payload.results},
            note=payload.note,
        )
    return Status(201, reinspection_out(reinspection))


# -- penalties --------------------------------------------------------------------------------------

PENALTIES = PenaltyCase.objects.select_related("enterprise")


@router.get("/penalties")
def list_penalties(request):
    require_perm(request, "inspections.view_penaltycase")
    queryset = filtered_or_400(PenaltyFilterSet, request, PENALTIES.for_user(request.user))
    return page_of(queryset, request, penalty_out)


@router.get("/penalties/{penalty_id}")
def get_penalty(request, penalty_id: int):
    require_perm(request, "inspections.view_penaltycase")
    return penalty_out(_scoped(PENALTIES, request, penalty_id), request.user)


class DecisionIn(Schema):
    legal_basis: str = ""
    amount: Decimal | None = None
    discretion: str = Field("", description="lenient, general or severe")
    violation: str = Field("", description="A code of the discretion table (optional)")
    facts: str | None = None
    suspend: bool = Field(False, description="Also order 停产停业整顿")
    suspension_reason: str = ""


class PenaltyIn(DecisionIn):
    enterprise: int | None = None
    order: int | None = None


@router.post("/penalties", response={201: dict})
def create_penalty(request, payload: PenaltyIn):
    require_perm(request, "inspections.add_penaltycase")
    enterprise = _in_scope_or_400(Enterprise, request, payload.enterprise, "enterprise")
    order = _in_scope_or_400(RectificationOrder, request, payload.order, "order")
    with refusals():
        penalty = services.create_penalty(
            actor=request.user,
            enterprise=enterprise,
            order=order,
            legal_basis=payload.legal_basis,
            amount=payload.amount,
            discretion=payload.discretion,
            violation=payload.violation,
            facts=payload.facts or "",
            suspend=payload.suspend,
            suspension_reason=payload.suspension_reason,
        )
    return Status(201, penalty_out(penalty, request.user))


@router.post("/penalties/{penalty_id}/decide")
def decide_penalty(request, penalty_id: int, payload: DecisionIn):
    penalty = _scoped(PenaltyCase, request, penalty_id)
    with refusals():
        penalty = services.decide_penalty(
            penalty,
            actor=request.user,
            legal_basis=payload.legal_basis,
            amount=payload.amount,
            discretion=payload.discretion,
            violation=payload.violation,
            facts=payload.facts,
            suspend=payload.suspend,
            suspension_reason=payload.suspension_reason,
        )
    return penalty_out(penalty, request.user)


def _penalty_step(request, penalty_id: int, step) -> dict:
    penalty = _scoped(PenaltyCase, request, penalty_id)
    with refusals():
        penalty = step(penalty, actor=request.user)
    return penalty_out(penalty, request.user)


@router.post("/penalties/{penalty_id}/pay")
def pay_penalty(request, penalty_id: int):
    return _penalty_step(request, penalty_id, services.record_payment)


@router.post("/penalties/{penalty_id}/enforce")
def enforce_penalty(request, penalty_id: int):
    return _penalty_step(request, penalty_id, services.enforce_payment)


@router.post("/penalties/{penalty_id}/close")
def close_penalty(request, penalty_id: int):
    return _penalty_step(request, penalty_id, services.close_penalty)


# -- suspensions ------------------------------------------------------------------------------------


@router.get("/suspensions")
def list_suspensions(request):
    require_perm(request, "inspections.view_suspension")
    queryset = filtered_or_400(SuspensionFilterSet, request, Suspension.objects.for_user(request.user))
    return page_of(queryset, request, suspension_out)


class SuspensionIn(Schema):
    enterprise: int | None = None
    reason: str = ""
    legal_basis: str = ""
    penalty: int | None = None


@router.post("/suspensions", response={201: dict})
def create_suspension(request, payload: SuspensionIn):
    """停产停业整顿 of an enterprise (writes the 强制措施决定书)."""
    require_perm(request, "inspections.add_suspension")
    enterprise = _in_scope_or_400(Enterprise, request, payload.enterprise, "enterprise")
    penalty = _in_scope_or_400(PenaltyCase, request, payload.penalty, "penalty")
    with refusals():
        suspension = services.start_suspension(
            actor=request.user,
            enterprise=enterprise,
            reason=payload.reason,
            legal_basis=payload.legal_basis,
            penalty=penalty,
        )
    return Status(201, suspension_out(suspension))


class NoteIn(Schema):
    note: str = ""


@router.post("/suspensions/{suspension_id}/lift")
def lift_suspension(request, suspension_id: int, payload: NoteIn):
    suspension = _scoped(Suspension, request, suspension_id)
    with refusals():
        suspension = services.lift_suspension(suspension, actor=request.user, note=payload.note)
    return suspension_out(suspension)


# -- leads ------------------------------------------------------------------------------------------

LEADS = EnforcementLead.objects.select_related("enterprise", "origin_type")


@router.get("/leads")
def list_leads(request):
    require_perm(request, "inspections.view_enforcementlead")
    queryset = filtered_or_400(LeadFilterSet, request, LEADS.for_user(request.user))
    return page_of(queryset, request, lead_out)


@router.get("/leads/{lead_id}")
def get_lead(request, lead_id: int):
    require_perm(request, "inspections.view_enforcementlead")
    return lead_out(_scoped(LEADS, request, lead_id))


class LeadIn(Schema):
    enterprise: int | None = None
    source: str = Field("other", description="roll_call, video_check, dust_checkin, alarm or other")
    summary: str = ""


@router.post("/leads", response={201: dict})
def create_lead(request, payload: LeadIn):
    require_perm(request, "inspections.add_enforcementlead")
    enterprise = _in_scope_or_400(Enterprise, request, payload.enterprise, "enterprise")
    lead = services.open_lead(
        actor=request.user, enterprise=enterprise, source=payload.source, summary=payload.summary
    )
    return Status(201, lead_out(lead))


class HandleIn(Schema):
    inspection: int | None = None


class DismissIn(Schema):
    reason: str = ""


@router.post("/leads/{lead_id}/handle")
def handle_lead(request, lead_id: int, payload: HandleIn):
    require_perm(request, "inspections.change_enforcementlead")
    lead = _scoped(EnforcementLead, request, lead_id)
    inspection = _in_scope_or_400(Inspection, request, payload.inspection, "inspection")
    with refusals():
        lead = services.handle_lead(lead, actor=request.user, inspection=inspection)
    return lead_out(lead)


@router.post("/leads/{lead_id}/dismiss")
def dismiss_lead(request, lead_id: int, payload: DismissIn):
    require_perm(request, "inspections.change_enforcementlead")
    lead = _scoped(EnforcementLead, request, lead_id)
    with refusals():
        lead = services.dismiss_lead(lead, actor=request.user, reason=payload.reason)
    return lead_out(lead)


# -- documents --------------------------------------------------------------------------------------


@router.get("/documents")
def list_documents(request):
    require_perm(request, "inspections.view_enforcementdocument")
    queryset = filtered_or_400(DocumentFilterSet, request, EnforcementDocument.objects.for_user(request.user))
    return page_of(queryset, request, document_out)


@router.get("/documents/{document_id}")
def get_document(request, document_id: int):
    require_perm(request, "inspections.view_enforcementdocument")
    return document_out(_scoped(EnforcementDocument, request, document_id), full=True)


@router.get("/documents/{document_id}/docx")
def download_document(request, document_id: int):
    require_perm(request, "inspections.view_enforcementdocument")
    document = _scoped(EnforcementDocument, request, document_id)
    response = HttpResponse(documents.docx_bytes(document.content), content_type=documents.DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.docx"'
    return response


class InspectionRecordIn(Schema):
    inspection: int | None = None


@router.post("/inspection-records", response={201: dict})
def create_inspection_record(request, payload: InspectionRecordIn):
    """现场检查记录 of an inspection (the other documents are written by their actions)."""
    require_perm(request, "inspections.add_enforcementdocument")
    inspection = _in_scope_or_400(Inspection, request, payload.inspection, "inspection")
    with refusals():
        document = services.issue_inspection_record(actor=request.user, inspection=inspection)
    return Status(201, document_out(document, full=True))


# -- number patterns --------------------------------------------------------------------------------


@router.get("/patterns")
def list_patterns(request):
    require_perm(request, "inspections.view_numberpattern")
    queryset = filtered_or_400(PatternFilterSet, request, NumberPattern.objects.for_user(request.user))
    return page_of(queryset, request, pattern_out)


@router.get("/patterns/{pattern_id}")
def get_pattern(request, pattern_id: int):
    require_perm(request, "inspections.view_numberpattern")
    return pattern_out(_scoped(NumberPattern, request, pattern_id))


class PatternIn(Schema):
    division: str = Field("", description="12-digit code of the bureau's division")
    kind: str = ""
    pattern: str = Field(rules.DEFAULT_PATTERN, description="Placeholders {abbr} {code} {year} {seq}")
    abbr: str = ""
    code: str = ""


def _division(code: str) -> Division | None:
    return Division.objects.filter(pk=code).first()


@router.post("/patterns", response={201: dict})
def create_pattern(request, payload: PatternIn):
    require_perm(request, "inspections.add_numberpattern")
    pattern = services.save_pattern(
        actor=request.user,
        division=_division(payload.division),
        kind=payload.kind,
        pattern=payload.pattern,
        abbr=payload.abbr,
        code=payload.code,
    )
    return Status(201, pattern_out(pattern))


@router.put("/patterns/{pattern_id}")
def update_pattern(request, pattern_id: int, payload: PatternIn):
    require_perm(request, "inspections.change_numberpattern")
    instance = _scoped(NumberPattern, request, pattern_id)
    pattern = services.save_pattern(
        actor=request.user,
        division=_division(payload.division),
        kind=payload.kind,
        pattern=payload.pattern,
        abbr=payload.abbr,
        code=payload.code,
        instance=instance,
    )
    return pattern_out(pattern)


@router.delete("/patterns/{pattern_id}", response={204: None})
def delete_pattern(request, pattern_id: int):
    require_perm(request, "inspections.delete_numberpattern")
    services.delete_pattern(_scoped(NumberPattern, request, pattern_id), actor=request.user)
    return Status(204, None)
