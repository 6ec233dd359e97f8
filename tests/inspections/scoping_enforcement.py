"""Enforcement objects for the generated scoping walk (tests/test_scoping.py), and the small factories
the enforcement tests share: each walk enterprise gets a finished inspection with one finding, its
rectification order (with a re-inspection), a penalty case, a suspension, a document and a lead, made on
first use directly with the ORM (no numbering, no permission checks).

In tests/test_scoping.py: `OBJECTS.update(ENFORCEMENT_OBJECTS)`, `API_PARAMS.update(ENFORCEMENT_API_PARAMS)`
and `PAGE_PARAMS.update(ENFORCEMENT_PAGE_PARAMS)`.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from tests.conftest import VILLAGE_A, VILLAGE_B

from yingji.inspections.models_checklists import Finding, Inspection
from yingji.inspections.models_enforcement import (
    EnforcementDocument,
    EnforcementLead,
    NumberPattern,
    PenaltyCase,
    RectificationOrder,
    Reinspection,
    Suspension,
)


def walk_actor(enterprise):
    county = enterprise.division_id[:6].ljust(12, "0")
    user, _created = get_user_model().objects.get_or_create(
        username=f"walk-enforcement-{county}", defaults={"role": "bureau_admin", "division_id": county}
    )
    return user


def make_inspection(
    enterprise, *, findings: int = 2, actor=None, deadline: datetime.date | None = None
) -> Inspection:
    """A finished inspection of `enterprise` with `findings` findings (deadline today by default)."""
    now = timezone.now()
    actor = actor or walk_actor(enterprise)
    inspection = Inspection.objects.create(
        enterprise=enterprise,
        division_id=enterprise.division_id,
        kind="routine",
        status="finished",
        started_at=now - datetime.timedelta(hours=1),
        finished_at=now,
        created_by=actor,
        summary="例行检查",
    )
    inspection.inspectors.add(actor)
    for n in range(findings):
        Finding.objects.create(
            inspection=inspection,
            description=f"问题{n + 1}：安全出口堵塞",
            legal_basis="《中华人民共和国安全生产法》第四十一条",
            deadline=deadline or timezone.localdate(),
        )
    return inspection


def inspection_of(enterprise) -> Inspection:
    inspection = Inspection.objects.filter(enterprise=enterprise, summary="走查检查").first()
    if inspection is None:
        inspection = make_inspection(enterprise, findings=1)
        inspection.summary = "走查检查"
        inspection.save(update_fields=["summary"])
    return inspection


def order_of(enterprise) -> RectificationOrder:
    inspection = inspection_of(enterprise)
    order, _created = RectificationOrder.objects.get_or_create(
        inspection=inspection,
        defaults={
            "enterprise": enterprise,
            "division_id": enterprise.division_id,
            "deadline": timezone.localdate(),
            "issued_by": walk_actor(enterprise),
            "issued_at": timezone.now(),
        },
    )
    return order


def reinspection_of(enterprise) -> Reinspection:
    order = order_of(enterprise)
    reinspection = order.reinspections.first()
    if reinspection is None:
        reinspection = Reinspection.objects.create(
            order=order,
            division_id=enterprise.division_id,
            enterprise=enterprise,
            performed_at=timezone.now(),
            performed_by=walk_actor(enterprise),
        )
    return reinspection


def penalty_of(enterprise) -> PenaltyCase:
    penalty = PenaltyCase.objects.filter(enterprise=enterprise).first()
    if penalty is None:
        penalty = PenaltyCase.objects.create(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            order=order_of(enterprise),
            opened_by=walk_actor(enterprise),
            opened_at=timezone.now(),
        )
    return penalty


def suspension_of(enterprise) -> Suspension:
    suspension = Suspension.objects.filter(enterprise=enterprise).first()
    if suspension is None:
        suspension = Suspension.objects.create(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            reason="拒不整改",
            legal_basis="《中华人民共和国安全生产法》第一百零二条",
            started_at=timezone.now(),
            started_by=walk_actor(enterprise),
        )
    return suspension


def document_of(enterprise) -> EnforcementDocument:
    document = EnforcementDocument.objects.filter(enterprise=enterprise).first()
    if document is None:
        order = order_of(enterprise)
        seq = EnforcementDocument.objects.filter(numbering_division_id=enterprise.division_id).count() + 1
        document = EnforcementDocument.objects.create(
            kind="rectification_order",
            number=f"(走)应急责改〔2026〕{enterprise.pk}-{seq}号",
            numbering_division_id=enterprise.division_id,
            year=2026,
            seq=enterprise.pk * 1000 + seq,
            enterprise=enterprise,
            division_id=enterprise.division_id,
            order=order,
            inspection=order.inspection,
            content={
                "title": "责令限期整改指令书",
                "number": "(走)",
                "bureau": "走查县应急管理局",
                "date": "二〇二六年一月一日",
            },
            issued_by=walk_actor(enterprise),
            issued_at=timezone.now(),
        )
    return document


def lead_of(enterprise) -> EnforcementLead:
    lead = EnforcementLead.objects.filter(enterprise=enterprise).first()
    if lead is None:
        lead = EnforcementLead.objects.create(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            source="other",
            summary="走查线索",
            created_at=timezone.now(),
        )
    return lead


def pattern_at(division_code: str) -> NumberPattern:
    pattern, _created = NumberPattern.objects.get_or_create(
        division_id=division_code, kind="rectification_order", defaults={"pattern": "走查〔{year}〕{seq}号"}
    )
    return pattern


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.neighbour),
        "own": lambda w: make(w.enterprise_a),
    }


ENFORCEMENT_OBJECTS = {
    # Number patterns belong to a division, not to an enterprise.
    "inspections.numberpattern": {
        "other_town": lambda w: pattern_at(VILLAGE_B),
        "other_enterprise": lambda w: pattern_at(VILLAGE_B),
        "own": lambda w: pattern_at(VILLAGE_A),
    },
    "inspections.rectificationorder": _each(order_of),
    "inspections.reinspection": _each(reinspection_of),
    "inspections.penaltycase": _each(penalty_of),
    "inspections.suspension": _each(suspension_of),
    "inspections.enforcementdocument": _each(document_of),
    "inspections.enforcementlead": _each(lead_of),
}
ENFORCEMENT_API_PARAMS = {
    "order_id": "inspections.rectificationorder",
    "reinspection_id": "inspections.reinspection",
    "penalty_id": "inspections.penaltycase",
    "suspension_id": "inspections.suspension",
    "document_id": "inspections.enforcementdocument",
    "lead_id": "inspections.enforcementlead",
    "pattern_id": "inspections.numberpattern",
    "enterprise_id": "registry.enterprise",
}
ENFORCEMENT_PAGE_PARAMS = {"enterprise_id": "registry.enterprise"}
