"""The four-colour map in a browser: markers by risk level with a legend, and the plain layer."""

from __future__ import annotations

import pytest

from yingji.risk import services

pytestmark = pytest.mark.browser


def test_overview_map_colours_enterprises_by_risk_level_and_toggles_to_plain(
    page, login, staff_user, outlines, enterprise_a, enterprise_b
):
    from playwright.sync_api import expect

    unit = services.create_unit(actor=staff_user, enterprise=enterprise_b, name="冲压车间")
    services.create_point(
        actor=staff_user, unit=unit, name="冲压作业", kind="activity", method="ls", ls_l=5, ls_s=5
    )
    login(page, "staff")
    home_map = page.locator("#home-map")
    expect(home_map).to_have_attribute("data-ready", "1")
    expect(home_map).to_have_attribute("data-layer", "risk")
    legend = home_map.locator(".yj-map-legend")
    expect(legend.locator('[data-level="major"] b')).to_have_text("1")
    expect(legend.locator('[data-level="none"] b')).to_have_text("1")
    expect(page.locator("#risk-by-division")).to_be_visible()
    legend.locator('input[value="plain"]').check()
    expect(home_map).to_have_attribute("data-layer", "plain")
    expect(legend.locator(".yj-map-legend-rows")).to_be_hidden()
    legend.locator('input[value="risk"]').check()
    expect(home_map).to_have_attribute("data-layer", "risk")
