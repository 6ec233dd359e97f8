"""Browser journey: a bureau admin makes this year's enforcement plan, a random draw, publishes it, and
anyone opens the public result; then coverage and the statistics at phone width."""

import pytest
from tests.conftest import COUNTY
from tests.inspections.scoping_plans import make_inspector

from yingji.inspections.models_plans import InspectionPlan, RandomDraw

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_draw_and_public_result(page, login, live_server, snap, admin_user, enterprise_a, enterprise_b):
    from playwright.sync_api import expect

    for n in range(3):
        make_inspector(f"insp{n}", COUNTY)
    login(page, admin_user.username)
    page.goto("/inspections/plans/add/")
    page.fill("#id_year", "2027")
    page.click("#save-button")
    expect(page.locator("#plan-entries")).to_be_visible()
    plan = InspectionPlan.objects.get()
    assert plan.entries.count() == 3
    expect(page.locator('#plan-entries tr[data-class="key"]')).to_have_count(2)
    snap(page, "plan")
    page.click("#publish-button")
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "published")

    page.goto("/inspections/draws/add/")
    page.fill("#id_count", "2")
    page.fill("#id_seed", "2026")
    page.click("#save-button")
    expect(page.locator("#draw-verified")).to_have_attribute("data-verified", "true")
    page.click("#publish-button")
    expect(page.locator("#draw-status")).to_have_attribute("data-status", "published")
    draw = RandomDraw.objects.get()
    snap(page, "draw")

    page.context.clear_cookies()
    page.goto(f"/inspections/draws/{draw.pk}/public/")
    expect(page.locator("#public-results tbody tr")).to_have_count(2)
    expect(page.locator("#public-results")).to_contain_text(enterprise_a.name)

    login(page, admin_user.username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/inspections/coverage/")
    expect(page.locator('[data-kpi="uninspected"]')).to_have_text("2")
    page.goto("/inspections/statistics/?group_by=month")
    expect(page.locator("#statistics-table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
