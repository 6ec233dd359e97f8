"""Enforcement pages: the loop through the forms, the documents, leads, number patterns and the timeline."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.conftest import COUNTY, PASSWORD
from tests.inspections.scoping_enforcement import make_inspection

from yingji.accounts import services as account_services
from yingji.core.models import Division
from yingji.inspections import services_enforcement as services
from yingji.inspections.models_enforcement import (
    EnforcementDocument,
    EnforcementLead,
    NumberPattern,
    PenaltyCase,
    RectificationOrder,
)

BASIS = "《中华人民共和国安全生产法》第一百零二条"


@pytest.fixture
def inspector(county):
    return account_services.create_user(
        username="inspector", role="inspector", division=Division.objects.get(code=COUNTY), password=PASSWORD
    )


@pytest.fixture
def inspection(enterprise_a, inspector):
    return make_inspection(enterprise_a, findings=2, actor=inspector)


def test_the_loop_through_the_pages(client_for, inspector, inspection):
    client = client_for(inspector)
    form = client.get(reverse("inspections:rectificationorder_add") + f"?inspection={inspection.pk}")
    assert form.status_code == 200
    response = client.post(reverse("inspections:rectificationorder_add"), {"inspection": inspection.pk})
    order = RectificationOrder.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "inspections:rectificationorder_detail", args=[order.pk]
    )
    page = client.get(response.url)
    assert page.status_code == 200
    assert (
        b'data-action="reinspect"' in page.content and b'data-document="rectification_order"' in page.content
    )
    first, second = sorted(inspection.findings.values_list("pk", flat=True))
    action = reverse("inspections:rectificationorder_action", args=[order.pk])
    client.post(
        action, {"action": "reinspect", f"result_{first}": "rectified", f"result_{second}": "not_rectified"}
    )
    order.refresh_from_db()
    assert order.status == "reinspected"
    client.post(action, {"action": "close"})  # refused: a finding is not rectified
    assert RectificationOrder.objects.get().status == "reinspected"
    response = client.post(action, {"action": "refer_penalty"})
    penalty = PenaltyCase.objects.get()
    assert response.url == reverse("inspections:penaltycase_detail", args=[penalty.pk])
    decide = reverse("inspections:penaltycase_action", args=[penalty.pk])
    response = client.post(decide, {"action": "decide", "amount": "3000", "discretion": "general"})
    assert response.status_code == 400 and b'data-field="legal_basis"' in response.content
    response = client.post(
        decide, {"action": "decide", "legal_basis": BASIS, "amount": "-1", "discretion": "general"}
    )
    assert response.status_code == 400 and b'data-field="amount"' in response.content
    assert PenaltyCase.objects.get().status == "open" and not penalty.documents.exists()
    response = client.post(
        decide, {"action": "decide", "legal_basis": BASIS, "amount": "3000", "discretion": "general"}
    )
    assert response.status_code == 302 and PenaltyCase.objects.get().status == "decided"
    page = client.get(reverse("inspections:penaltycase_detail", args=[penalty.pk]))
    assert b'data-action="pay"' in page.content and b'data-document="penalty_decision"' in page.content


def test_a_direct_penalty_without_legal_basis_stays_on_the_form(client_for, inspector, enterprise_a):
    client = client_for(inspector)
    assert client.get(reverse("inspections:penaltycase_add")).status_code == 200
    response = client.post(
        reverse("inspections:penaltycase_add"),
        {"enterprise": enterprise_a.pk, "amount": "100", "discretion": "lenient"},
    )
    assert response.status_code == 400 and b'data-field="legal_basis"' in response.content
    assert PenaltyCase.objects.count() == 0


def test_documents_print_and_download_in_scope(
    client_for, inspector, inspection, enterprise_b_user, enterprise_a_user
):
    order = services.issue_order(actor=inspector, inspection=inspection)
    document = order.documents.get()
    page = client_for(inspector).get(reverse("inspections:enforcementdocument_detail", args=[document.pk]))
    assert page.status_code == 200
    assert (
        f'data-number="{document.number}"'.encode() in page.content and b'id="document-date"' in page.content
    )
    docx = client_for(enterprise_a_user).get(
        reverse("inspections:enforcementdocument_docx", args=[document.pk])
    )
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    other = client_for(enterprise_b_user).get(
        reverse("inspections:enforcementdocument_docx", args=[document.pk])
    )
    assert other.status_code == 404


def test_the_inspection_record_is_issued_once(client_for, inspector, inspection):
    client = client_for(inspector)
    url = reverse("inspections:enforcementdocument_add")
    assert client.get(url + f"?inspection={inspection.pk}").status_code == 200
    first = client.post(url, {"inspection": inspection.pk})
    second = client.post(url, {"inspection": inspection.pk})
    assert first.url == second.url
    assert EnforcementDocument.objects.filter(kind="inspection_record").count() == 1


def test_leads_pages(client_for, inspector, enterprise_a, inspection, leader):
    client = client_for(inspector)
    response = client.post(
        reverse("inspections:enforcementlead_add"),
        {"enterprise": enterprise_a.pk, "source": "other", "summary": ""},
    )
    assert response.status_code == 400 and b'data-field="summary"' in response.content
    client.post(
        reverse("inspections:enforcementlead_add"),
        {"enterprise": enterprise_a.pk, "source": "roll_call", "summary": "点名未应答"},
    )
    lead = EnforcementLead.objects.get()
    assert client.get(reverse("inspections:enforcementlead_list")).status_code == 200
    page = client.get(reverse("inspections:enforcementlead_detail", args=[lead.pk]))
    assert b'data-action="handle"' in page.content and b'data-action="dismiss"' in page.content
    action = reverse("inspections:enforcementlead_action", args=[lead.pk])
    client.post(action, {"action": "dismiss", "reason": ""})
    assert EnforcementLead.objects.get().status == "open"
    client.post(action, {"action": "handle", "inspection": inspection.pk})
    assert EnforcementLead.objects.get().status == "handled"
    viewer = client_for(leader)
    assert viewer.get(reverse("inspections:enforcementlead_detail", args=[lead.pk])).status_code == 200
    assert viewer.post(action, {"action": "dismiss", "reason": "x"}).status_code == 403


def test_number_patterns_are_admin_pages(client_for, admin_user, inspector, county):
    admin = client_for(admin_user)
    assert admin.get(reverse("inspections:numberpattern_list")).status_code == 200
    response = admin.post(
        reverse("inspections:numberpattern_add"),
        {"division": COUNTY, "kind": "penalty_decision", "pattern": "{abbr}罚{seq}"},
    )
    assert response.status_code == 400 and b'data-field="pattern"' in response.content
    response = admin.post(
        reverse("inspections:numberpattern_add"),
        {
            "division": COUNTY,
            "kind": "penalty_decision",
            "pattern": "{abbr}应急罚〔{year}〕{seq}号",
            "abbr": "澜",
        },
    )
    assert response.status_code == 302 and NumberPattern.objects.get().abbr == "澜"
    assert client_for(inspector).get(reverse("inspections:numberpattern_list")).status_code == 403


def test_the_enterprise_timeline_is_scoped(
    client_for, inspector, inspection, enterprise_a, town_b_official, leader
):
    order = services.issue_order(actor=inspector, inspection=inspection)
    services.open_lead(actor=inspector, enterprise=enterprise_a, source="alarm", summary="报警")
    services.start_suspension(actor=inspector, enterprise=enterprise_a, reason="拒不整改", legal_basis=BASIS)
    url = reverse("inspections:enterprise_timeline", args=[enterprise_a.pk])
    page = client_for(leader).get(url)
    assert page.status_code == 200
    for kind in ("order", "lead", "document", "suspension", "inspection"):
        assert f'data-kind="{kind}"'.encode() in page.content
    assert b'id="suspension-banner"' in page.content and b'data-action="lift"' not in page.content
    assert client_for(town_b_official).get(url).status_code == 404
    assert order.pk
