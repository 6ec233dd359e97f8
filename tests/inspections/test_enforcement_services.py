"""The enforcement loop through its services: order → re-inspection → closed or penalty, suspensions,
leads, numbering; every bad input of the issue leaves nothing written."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from docx import Document
from tests.conftest import COUNTY, PASSWORD
from tests.inspections.scoping_enforcement import make_inspection

from yingji.accounts import services as account_services
from yingji.core.models import Deadline, Division
from yingji.inspections import numbering
from yingji.inspections import rules_enforcement as rules
from yingji.inspections import services_enforcement as services
from yingji.inspections.documents import docx_bytes
from yingji.inspections.models_enforcement import (
    DocumentCounter,
    EnforcementDocument,
    EnforcementLead,
    NumberPattern,
    PenaltyCase,
    RectificationOrder,
    Reinspection,
    Suspension,
)
from yingji.inspections.rules_enforcement import TransitionError

BASIS = "《中华人民共和国安全生产法》第一百零二条"


@pytest.fixture
def inspector(county):
    return account_services.create_user(
        username="inspector",
        role="inspector",
        division=Division.objects.get(code=COUNTY),
        password=PASSWORD,
        full_name="执法员甲",
    )


@pytest.fixture
def inspection(enterprise_a, inspector):
    return make_inspection(enterprise_a, findings=2, actor=inspector)


@pytest.fixture
def order(inspection, inspector):
    return services.issue_order(actor=inspector, inspection=inspection)


def _reinspected(order, inspector, *, rectified: int) -> RectificationOrder:
    findings = sorted(order.inspection.findings.values_list("pk", flat=True))
    results = {pk: ("rectified" if i < rectified else "not_rectified") for i, pk in enumerate(findings)}
    services.reinspect(actor=inspector, order=order, results=results)
    return RectificationOrder.objects.get(pk=order.pk)


def _counts() -> tuple:
    return (
        RectificationOrder.objects.count(),
        Reinspection.objects.count(),
        PenaltyCase.objects.count(),
        Suspension.objects.count(),
        EnforcementDocument.objects.count(),
        list(DocumentCounter.objects.order_by("pk").values_list("kind", "last")),
    )


def test_issuing_an_order_numbers_its_document_and_puts_it_on_the_ladder(order, inspector):
    document = order.documents.get()
    assert document.kind == "rectification_order"
    assert document.number == f"(安)应急责改〔{timezone.localdate().year}〕1号"
    assert document.numbering_division_id == COUNTY and document.seq == 1
    assert document.content["title"] == "责令限期整改指令书"
    assert Deadline.objects.for_object(order).open().count() == 1
    assert order.deadline == timezone.localdate()


def test_a_second_order_for_the_same_inspection_is_refused(order, inspection, inspector):
    before = _counts()
    with pytest.raises(TransitionError) as refused:
        services.issue_order(actor=inspector, inspection=inspection)
    assert refused.value.code == "order_exists"
    assert _counts() == before


def test_an_order_needs_findings(enterprise_a, inspector):
    empty = make_inspection(enterprise_a, findings=0, actor=inspector)
    with pytest.raises(ValidationError) as error:
        services.issue_order(actor=inspector, inspection=empty)
    assert "inspection" in error.value.message_dict
    assert RectificationOrder.objects.count() == 0 and DocumentCounter.objects.count() == 0


def test_reinspection_before_the_order_exists_is_refused(inspection, inspector):
    finding = inspection.findings.first()
    with pytest.raises(TransitionError) as refused:
        services.reinspect(actor=inspector, inspection=inspection, results={finding.pk: "rectified"})
    assert refused.value.code == "no_order"
    assert Reinspection.objects.count() == 0 and EnforcementDocument.objects.count() == 0


def test_reinspection_before_the_deadline_is_refused_and_consumes_no_number(enterprise_a, inspector):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    later = make_inspection(enterprise_a, findings=1, actor=inspector, deadline=tomorrow)
    order = services.issue_order(actor=inspector, inspection=later)
    before = _counts()
    with pytest.raises(TransitionError) as refused:
        services.reinspect(actor=inspector, order=order, results={later.findings.get().pk: "rectified"})
    assert refused.value.code == "before_deadline" and refused.value.status == 409
    assert _counts() == before
    # On the deadline day it is possible.
    on_deadline = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(9)))
    services.reinspect(
        actor=inspector, order=order, results={later.findings.get().pk: "rectified"}, now=on_deadline
    )
    assert RectificationOrder.objects.get(pk=order.pk).status == "reinspected"


def test_reinspection_needs_a_result_for_every_finding(order, inspector):
    first = order.inspection.findings.order_by("pk").first()
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.reinspect(actor=inspector, order=order, results={first.pk: "rectified"})
    assert "results" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.reinspect(actor=inspector, order=order, results={first.pk: "maybe", 999999: "rectified"})
    assert _counts() == before


def test_all_rectified_closes_the_order_and_its_deadline(order, inspector):
    order = _reinspected(order, inspector, rectified=2)
    assert order.documents.filter(kind="reinspection_opinion").count() == 1
    with pytest.raises(TransitionError) as refused:
        services.refer_penalty(order, actor=inspector)
    assert refused.value.code == "all_rectified"
    services.close_order(order, actor=inspector)
    order.refresh_from_db()
    assert order.status == "closed" and order.closed_at is not None
    assert Deadline.objects.for_object(order).open().count() == 0


def test_closing_an_order_with_unrectified_findings_is_refused(order, inspector):
    order = _reinspected(order, inspector, rectified=1)
    before = _counts()
    with pytest.raises(TransitionError) as refused:
        services.close_order(order, actor=inspector)
    assert refused.value.code == "unrectified_findings"
    assert RectificationOrder.objects.get(pk=order.pk).status == "reinspected"
    assert _counts() == before
    assert Deadline.objects.for_object(order).open().count() == 1


def test_closing_an_order_not_yet_reinspected_is_refused(order, inspector):
    with pytest.raises(TransitionError) as refused:
        services.close_order(order, actor=inspector)
    assert refused.value.code == "forbidden_transition"


def test_unrectified_findings_become_a_penalty_case_decided_paid_and_closed(order, inspector):
    order = _reinspected(order, inspector, rectified=1)
    penalty = services.refer_penalty(order, actor=inspector)
    assert RectificationOrder.objects.get(pk=order.pk).status == "penalty"
    assert penalty.status == "open" and penalty.findings.count() == 1
    penalty = services.decide_penalty(
        penalty,
        actor=inspector,
        legal_basis=BASIS,
        amount="60000",
        discretion="lenient",
        violation="aqsf-102",
    )
    assert (penalty.status, penalty.payment_status, penalty.amount) == ("decided", "unpaid", Decimal("60000"))
    document = penalty.documents.get()
    assert document.kind == "penalty_decision" and "罚" in document.number
    with pytest.raises(TransitionError):
        services.close_penalty(penalty, actor=inspector)  # not paid yet
    services.record_payment(penalty, actor=inspector)
    penalty = services.close_penalty(penalty, actor=inspector)
    assert (penalty.status, penalty.payment_status) == ("closed", "paid")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"legal_basis": "", "amount": "1000", "discretion": "general"}, "legal_basis"),
        ({"legal_basis": "   ", "amount": "1000", "discretion": "general"}, "legal_basis"),
        ({"legal_basis": BASIS, "amount": "0", "discretion": "general"}, "amount"),
        ({"legal_basis": BASIS, "amount": "-5", "discretion": "general"}, "amount"),
        ({"legal_basis": BASIS, "amount": "1000", "discretion": "harsh"}, "discretion"),
        (
            {"legal_basis": BASIS, "amount": "90000", "discretion": "lenient", "violation": "aqsf-102"},
            "amount",
        ),
    ],
)
def test_a_bad_penalty_decision_writes_nothing(order, inspector, fields, field):
    order = _reinspected(order, inspector, rectified=0)
    penalty = services.refer_penalty(order, actor=inspector)
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.decide_penalty(penalty, actor=inspector, **fields)
    assert field in error.value.message_dict
    assert _counts() == before
    assert PenaltyCase.objects.get(pk=penalty.pk).status == "open"


def test_a_direct_penalty_without_legal_basis_or_with_no_amount_writes_nothing(enterprise_a, inspector):
    for fields, field in (
        ({"legal_basis": "", "amount": 100}, "legal_basis"),
        ({"legal_basis": BASIS, "amount": 0}, "amount"),
        ({"legal_basis": BASIS, "amount": -1}, "amount"),
    ):
        with pytest.raises(ValidationError) as error:
            services.create_penalty(actor=inspector, enterprise=enterprise_a, discretion="general", **fields)
        assert field in error.value.message_dict
    assert _counts() == (0, 0, 0, 0, 0, [])


def test_a_decision_with_suspension_writes_the_coercive_measure_and_can_be_lifted(enterprise_a, inspector):
    penalty = services.create_penalty(
        actor=inspector,
        enterprise=enterprise_a,
        legal_basis=BASIS,
        amount=80000,
        discretion="severe",
        suspend=True,
        suspension_reason="拒不消除事故隐患",
    )
    suspension = Suspension.objects.get()
    assert suspension.penalty == penalty and suspension.status == "active"
    assert services.active_suspension(enterprise_a.pk) == suspension
    assert set(EnforcementDocument.objects.values_list("kind", flat=True)) == {
        "penalty_decision",
        "coercive_measure",
    }
    with pytest.raises(TransitionError) as refused:
        services.start_suspension(actor=inspector, enterprise=enterprise_a, reason="again", legal_basis=BASIS)
    assert refused.value.code == "already_suspended"
    services.lift_suspension(suspension, actor=inspector, note="整改合格")
    assert Suspension.objects.get().status == "lifted"
    assert services.active_suspension(enterprise_a.pk) is None


def test_town_official_cannot_decide_a_penalty(order, inspector, town_a_official):
    order = _reinspected(order, inspector, rectified=0)
    penalty = services.refer_penalty(order, actor=inspector)
    with pytest.raises(TransitionError) as refused:
        services.decide_penalty(
            penalty, actor=town_a_official, legal_basis=BASIS, amount=1, discretion="general"
        )
    assert refused.value.code == "forbidden" and refused.value.status == 403


def test_leads_open_handled_or_dismissed(enterprise_a, enterprise_b, inspector, inspection):
    lead = services.open_lead(
        actor=None, enterprise=enterprise_a, source="roll_call", summary="值班点名未应答", origin=inspection
    )
    assert (
        lead.status == "open"
        and lead.division_id == enterprise_a.division_id
        and lead.origin_id == str(inspection.pk)
    )
    other = make_inspection(enterprise_b, findings=0, actor=inspector)
    with pytest.raises(ValidationError) as error:
        services.handle_lead(lead, actor=inspector, inspection=other)
    assert "inspection" in error.value.message_dict
    services.handle_lead(lead, actor=inspector, inspection=inspection)
    lead.refresh_from_db()
    assert lead.status == "handled" and lead.inspection == inspection
    with pytest.raises(TransitionError):
        services.dismiss_lead(lead, actor=inspector, reason="x")
    second = services.open_lead(actor=inspector, enterprise=enterprise_a, source="other", summary="群众反映")
    with pytest.raises(ValidationError) as error:
        services.dismiss_lead(second, actor=inspector, reason=" ")
    assert "reason" in error.value.message_dict
    services.dismiss_lead(second, actor=inspector, reason="重复线索")
    assert EnforcementLead.objects.get(pk=second.pk).status == "dismissed"


def test_a_lead_needs_a_known_source_and_a_summary(enterprise_a, inspector):
    with pytest.raises(ValidationError) as error:
        services.open_lead(actor=inspector, enterprise=enterprise_a, source="rumour", summary="")
    assert set(error.value.message_dict) == {"source", "summary"}
    assert EnforcementLead.objects.count() == 0


def test_a_configured_pattern_numbers_by_its_division(county, admin_user, order, inspector):
    services.save_pattern(
        actor=admin_user,
        division=county,
        kind="inspection_record",
        pattern="{abbr}检〔{year}〕{seq:03d}号",
        abbr="澜",
    )
    document = services.issue_inspection_record(actor=inspector, inspection=order.inspection)
    assert document.number == f"澜检〔{timezone.localdate().year}〕001号"
    assert services.issue_inspection_record(actor=inspector, inspection=order.inspection) == document


@pytest.mark.parametrize("pattern", ["", "〔{year}〕号", "{abbr}{seq}号", "{name}{year}{seq}", "{year}{seq"])
def test_a_bad_pattern_is_refused(county, admin_user, pattern):
    with pytest.raises(ValidationError) as error:
        services.save_pattern(actor=admin_user, division=county, kind="penalty_decision", pattern=pattern)
    assert "pattern" in error.value.message_dict
    assert NumberPattern.objects.count() == 0


def test_a_rolled_back_document_gives_its_number_back(county):
    year = 2026
    with transaction.atomic():
        assert numbering.assign(COUNTY, "penalty_decision", year)[1] == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.assign(COUNTY, "penalty_decision", year)[1] == 2
        raise RuntimeError("the document failed")
    with transaction.atomic():
        assert numbering.assign(COUNTY, "penalty_decision", year)[1] == 2


def test_the_timeline_merges_everything_newest_first(order, inspector, admin_user, enterprise_a):
    order = _reinspected(order, inspector, rectified=1)
    services.refer_penalty(order, actor=inspector)
    services.open_lead(actor=inspector, enterprise=enterprise_a, source="alarm", summary="报警未处置")
    entries = services.timeline(enterprise_a, admin_user)
    kinds = {e["kind"] for e in entries}
    assert {"inspection", "order", "reinspection", "penalty", "lead", "document"} <= kinds
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)


def test_the_docx_has_the_title_number_and_chinese_date(order):
    content = order.documents.get().content
    document = Document(BytesIO(docx_bytes(content)))
    texts = [p.text for p in document.paragraphs]
    assert "责令限期整改指令书" in texts and content["number"] in texts
    assert texts[-1] == rules.chinese_date(timezone.localdate())
    assert document.paragraphs[1].alignment == 1  # centred title


def test_chinese_dates():
    assert rules.chinese_date(datetime.date(2026, 11, 26)) == "二〇二六年十一月二十六日"
    assert rules.chinese_date(datetime.date(2030, 1, 10)) == "二〇三〇年一月十日"
    assert rules.chinese_date(datetime.date(2026, 12, 31)) == "二〇二六年十二月三十一日"


def test_the_reinspection_verifies_or_rejects_the_submitted_hazards(inspection, inspector, enterprise_a_user):
    from yingji.hazards import services as hazards

    for finding in inspection.findings.order_by("pk"):
        hazard = hazards.report_hazard(
            actor=inspector, title=finding.description, source="inspection", enterprise=inspection.enterprise
        )
        due = timezone.now() + datetime.timedelta(days=2)
        hazard = hazards.confirm_hazard(
            hazard, actor=inspector, grade="general", treatment="deadline", due_at=due
        )
        hazard = hazards.start_rectification(hazard, actor=enterprise_a_user)
        hazards.submit_rectification(hazard, actor=enterprise_a_user, note="已整改")
        finding.hazard = hazard
        finding.save(update_fields=["hazard"])
    order = services.issue_order(actor=inspector, inspection=inspection)
    _reinspected(order, inspector, rectified=1)
    first, second = (f.hazard for f in inspection.findings.order_by("pk").select_related("hazard"))
    assert (first.status, second.status) == ("closed", "rectifying")
