"""Browser journey: the county opens a disaster event; a village official fills and submits its 初报 at
phone width (a logic error first), the town accepts it and sees the total; the county prints a plan's
one-page card."""

from __future__ import annotations

import datetime

import pytest
from tests.conftest import COUNTY, VILLAGE_A, _user

from yingji.incidents.models_reports import DisasterEvent, ReportVersion
from yingji.plans import services as plan_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_disaster_report_chain_and_plan_card(page, login, live_server, snap, staff_user, town_a_official):
    from playwright.sync_api import expect

    village_official = _user("village_a", "village_official", VILLAGE_A)
    login(page, staff_user.username)
    page.goto("/incidents/disasters/add/")
    page.fill("#id_title", "暴雨洪涝")
    page.select_option("#id_hazard_type", "flood")
    page.fill("#id_started_on", datetime.date.today().isoformat())
    page.select_option("#id_division", COUNTY)
    page.click("#save-button")
    expect(page.locator("#event-status")).to_have_attribute("data-status", "open")
    event = DisasterEvent.objects.get()

    page.context.clear_cookies()
    login(page, village_official.username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/incidents/disasters/{event.pk}/")
    page.click("#own-report-button")
    expect(page.locator("#figures-form")).to_be_visible()
    page.fill("#id_affected_population", "85")
    page.fill("#id_crop_affected_ha", "3")
    page.fill("#id_crop_disaster_ha", "5")
    page.select_option("#id_stage", "initial")
    page.click("#submit-button")
    expect(page.locator('[data-field="crop_disaster_ha"]')).to_be_visible()
    assert not ReportVersion.objects.exists()
    page.fill("#id_crop_disaster_ha", "2")
    page.select_option("#id_stage", "initial")
    page.click("#submit-button")
    expect(page.locator("#report-status")).to_have_attribute("data-status", "submitted")
    snap(page, "village")

    page.context.clear_cookies()
    login(page, town_a_official.username)
    town_report = event.reports.get(division_id="329901001000")
    page.goto(f"/incidents/disasters/reports/{town_report.pk}/")
    page.click("#lower-level button[value=accept]")
    expect(page.locator('#totals tr[data-indicator="affected_population"] td').nth(2)).to_have_text("85")
    snap(page, "town")

    plan = plan_services.create_plan(
        actor=staff_user,
        title="县防汛应急预案",
        owner_kind="government",
        division_id=COUNTY,
        level="county",
        plan_type="special",
        owner="县防指",
        status="draft",
    )
    level = plan_services.save_level(plan, actor=staff_user, code="IV", name="四级", min_deaths=1)
    plan_services.save_task(
        level, actor=staff_user, role="县防办", task="发布预警、组织会商", deadline_minutes=60
    )
    page.context.clear_cookies()
    login(page, staff_user.username)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/plans/{plan.pk}/card/")
    expect(page.locator("#plan-flow .plan-flow-box")).to_have_count(5)
    expect(page.locator("#plan-card-tasks")).to_contain_text("发布预警")
    height = page.evaluate("document.querySelector('#plan-card').getBoundingClientRect().height")
    assert height < 1050  # fits on one A4 page (≈ 1123 px at 96 dpi)
