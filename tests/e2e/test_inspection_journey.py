"""The inspection journey in a browser: an inspector scans the enterprise's QR poster, inspects with a
checklist, fails two items (two findings), issues the order to rectify (its numbered document prints),
and at the re-inspection one finding is rectified while the other becomes a penalty case, decided with
its legal basis; the enterprise's timeline shows it all."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from tests.conftest import COUNTY, PASSWORD

from yingji.accounts import services as account_services
from yingji.core.models import Division
from yingji.inspections import qr
from yingji.inspections.models_checklists import ChecklistItem, ChecklistTemplate, Finding, Inspection
from yingji.inspections.models_enforcement import PenaltyCase, RectificationOrder

pytestmark = pytest.mark.browser

BASIS = "《中华人民共和国安全生产法》第一百零二条"


@pytest.fixture
def checklist(county):
    template = ChecklistTemplate.objects.create(
        code="journey-general",
        name="工贸企业通用检查表",
        topic="industry_general",
        version=1,
        status="active",
        division=county,
    )
    for number, text in ((1, "安全出口、疏散通道畅通"), (2, "从业人员经安全生产教育和培训")):
        ChecklistItem.objects.create(
            template=template,
            number=number,
            text=text,
            legal_basis="《中华人民共和国安全生产法》第二十八条",
            default_deadline_days=7,
        )
    return template


def test_scan_inspect_order_reinspect_and_penalty(page, login, snap, enterprise_a, checklist):
    from playwright.sync_api import expect

    account_services.create_user(
        username="inspector", role="inspector", division=Division.objects.get(code=COUNTY), password=PASSWORD
    )
    login(page, "inspector")

    # Scan the poster: the page offers the inspection with the active checklist.
    page.goto(f"/inspections/qr/s/{qr.token_for(enterprise_a)}/")
    expect(page.locator("#scan-form")).to_have_attribute("data-purpose", "inspection")
    page.select_option("#id_template", str(checklist.pk))
    snap(page, "scan")
    page.click("#scan-button")
    page.wait_for_url(re.compile(r"/inspections/records/\d+/run/"))
    inspection = Inspection.objects.get()

    # Inspect: both items fail (with a note), which makes two findings when the inspection finishes.
    for item in checklist.items.order_by("number"):
        card = page.locator(f"#item-{item.pk}")
        card.locator(f"label[for=result-{item.pk}-fail]").click()
        card.locator("input[name=note]").fill("现场发现问题")
        card.locator(f"[data-save='{item.pk}']").click()
        expect(page.locator(f"#item-{item.pk}")).to_have_attribute("data-result", "fail")
    snap(page, "inspect")
    page.click("#finish-button")
    expect(page.locator("#inspection-status")).to_have_attribute("data-status", "finished")
    assert Finding.objects.filter(inspection=inspection).count() == 2

    # The order to rectify, with its numbered document.
    page.goto(f"/inspections/orders/add/?inspection={inspection.pk}")
    page.click("#save-button")
    expect(page.locator("#order-status")).to_have_attribute("data-status", "issued")
    order = RectificationOrder.objects.get()
    document = order.documents.get()
    expect(page.locator("[data-document=rectification_order]")).to_contain_text(document.number)
    expect(page.locator("#reinspect-later")).to_be_visible()  # the deadline is a week away
    snap(page, "order")
    page.goto(f"/inspections/documents/{document.pk}/")
    expect(page.locator("#document-number")).to_have_text(document.number)
    snap(page, "order-document")

    # A week later (the deadline has come): the re-inspection finds one finding rectified, one not.
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate())
    page.goto(f"/inspections/orders/{order.pk}/")
    first, second = Finding.objects.filter(inspection=inspection).order_by("pk")
    page.check(f"input[name=result_{first.pk}][value=rectified]")
    page.check(f"input[name=result_{second.pk}][value=not_rectified]")
    page.click("[data-action=reinspect]")
    expect(page.locator("#order-status")).to_have_attribute("data-status", "reinspected")
    expect(page.locator("[data-document=reinspection_opinion]")).to_be_visible()
    expect(page.locator("[data-action=close]")).to_have_count(0)  # not everything is rectified
    snap(page, "reinspection")

    # The unrectified finding becomes a penalty case, decided with its legal basis.
    page.click("[data-action=refer_penalty]")
    expect(page.locator("#penalty-status")).to_have_attribute("data-status", "open")
    expect(page.locator(f"[data-finding='{second.pk}']")).to_be_visible()
    expect(page.locator(f"[data-finding='{first.pk}']")).to_have_count(0)
    page.fill("#id_legal_basis", BASIS)
    page.fill("#id_amount", "20000")
    page.select_option("#id_discretion", "general")
    page.click("[data-action=decide]")
    expect(page.locator("#penalty-status")).to_have_attribute("data-status", "decided")
    expect(page.locator("[data-document=penalty_decision]")).to_be_visible()
    snap(page, "penalty")
    penalty = PenaltyCase.objects.get()
    assert list(penalty.findings.all()) == [second] and penalty.legal_basis == BASIS

    # The enterprise's timeline has it all, newest first.
    page.goto(f"/inspections/enterprises/{enterprise_a.pk}/timeline/")
    for kind in ("penalty", "reinspection", "order", "document", "inspection"):
        expect(page.locator(f"#timeline [data-kind={kind}]").first).to_be_visible()
    snap(page, "timeline")
