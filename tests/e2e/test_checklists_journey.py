"""The QR check-in and checklist run on a phone: an inspector at the enterprise scans its poster (the
phone reports where it is), runs a shipped checklist item by item, and finishing turns the failed
major-criterion item into a major hidden danger."""

from __future__ import annotations

import re

import pytest
from tests.conftest import COUNTY, PASSWORD

from yingji.accounts import services as account_services
from yingji.core.models import Division
from yingji.hazards.models import Hazard
from yingji.inspections import qr, services_checklists
from yingji.inspections.models_checklists import CheckIn, ChecklistTemplate, Inspection

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_scan_on_a_phone_and_run_the_checklist(page, login, snap, enterprise_a):
    from playwright.sync_api import expect

    services_checklists.load_shipped_templates()
    template = ChecklistTemplate.objects.get(code="confined_space")
    account_services.create_user(
        username="inspector", role="inspector", division=Division.objects.get(code=COUNTY), password=PASSWORD
    )
    login(page, "inspector")
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 32.0005, "longitude": 120.9003})

    page.goto(f"/inspections/qr/s/{qr.token_for(enterprise_a)}/")
    expect(page.locator("#location-state")).to_have_attribute("data-state", "known")
    page.select_option("#id_template", str(template.pk))
    snap(page, "scan")
    page.click("#scan-button")
    page.wait_for_url(re.compile(r"/inspections/records/\d+/run/"))
    check_in = CheckIn.objects.get()
    assert check_in.latitude == pytest.approx(32.0005) and not check_in.is_far

    items = list(template.items.order_by("number"))
    for item in items:
        card = page.locator(f"#item-{item.pk}")
        result = "fail" if item.number == 1 else "pass"
        card.locator(f"label[for=result-{item.pk}-{result}]").click()
        card.locator(f"[data-save='{item.pk}']").click()
        expect(page.locator(f"#item-{item.pk}")).to_have_attribute("data-result", result)
    expect(page.locator("#run-progress")).to_have_attribute("data-answered", str(len(items)))
    snap(page, "run")
    page.click("#finish-button")
    expect(page.locator("#inspection-status")).to_have_attribute("data-status", "finished")
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and Inspection.objects.get().findings.get().hazard == hazard
    expect(page.locator(f"[data-hazard='{hazard.pk}']")).to_be_visible()
    snap(page, "finished")
