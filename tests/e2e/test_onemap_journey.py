"""The one map (一图) in a browser with no tile server: division outlines, a layer toggled on shows its
markers, a click on a marker opens its card, and a drawn radius lists what is inside, by layer."""

from __future__ import annotations

import pytest
from tests.e2e.conftest import wait_for_maps

from yingji.registry.models import MajorHazardSource
from yingji.risk.models import EnterpriseRisk

pytestmark = pytest.mark.browser


def pixel_of(page, lng: float, lat: float) -> tuple[float, float]:
    """Page coordinates of a position on the map."""
    point = page.evaluate(
        """([lng, lat]) => {
          const el = document.getElementById('onemap');
          const p = el.yjMap.latLngToContainerPoint([lat, lng]);
          const box = el.getBoundingClientRect();
          return [box.left + p.x, box.top + p.y];
        }""",
        [lng, lat],
    )
    return point[0], point[1]


def test_one_map_layers_cards_and_radius(page, login, snap, admin_user, outlines, enterprise_a, enterprise_b):
    from playwright.sync_api import expect

    EnterpriseRisk.objects.create(enterprise=enterprise_a, level="major", major=1)
    MajorHazardSource.objects.create(
        enterprise=enterprise_b,
        division_id=enterprise_b.division_id,
        name="液氨罐区",
        is_major=True,
        grade=2,
        longitude=121.01,
        latitude=32.1,
    )
    login(page, "admin")
    page.goto("/map/")
    onemap = page.locator("#onemap")
    expect(onemap).to_have_attribute("data-ready", "1")
    wait_for_maps(page)
    assert page.locator(".leaflet-tile").count() == 0  # no tile server: outlines only
    assert page.locator("path.leaflet-interactive, .leaflet-overlay-pane path").count() >= 1
    enterprises = page.locator('.yj-layer[data-layer="enterprises"]')
    expect(enterprises).to_have_attribute("data-shown", "2")
    expect(enterprises).to_have_attribute("data-count", "2")
    expect(page.locator("path.yj-marker-enterprises")).to_have_count(2)
    snap(page, "layers")

    # A click on enterprise A's marker opens its card with a link to its page.
    x, y = pixel_of(page, 120.9, 32.0)
    page.mouse.click(x, y)
    card = page.locator("#map-card")
    expect(card).to_have_attribute("data-state", "ready")
    expect(card).to_have_attribute("data-id", str(enterprise_a.pk))
    expect(page.locator("#map-card-link")).to_have_attribute("href", f"/enterprises/{enterprise_a.pk}/")
    snap(page, "card")
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup-close-button").click()

    # Toggling the major hazard sources on shows its marker; off hides it.
    sources = page.locator('.yj-layer[data-layer="sources"]')
    page.locator("#layer-sources").check()
    expect(sources).to_have_attribute("data-shown", "1")
    expect(page.locator("path.yj-marker-sources")).to_have_count(1)
    page.locator("#layer-sources").uncheck()
    expect(page.locator("path.yj-marker-sources")).to_have_count(0)
    page.locator("#layer-sources").check()
    expect(page.locator("path.yj-marker-sources")).to_have_count(1)

    # A radius drawn around enterprise B lists it and its source, with distances; not enterprise A.
    page.locator("#tool-circle").click()
    expect(onemap).to_have_attribute("data-tool", "circle")
    x, y = pixel_of(page, 121.0, 32.1)
    page.mouse.click(x, y)
    x2, y2 = pixel_of(page, 121.03, 32.1)  # ~2.8 km east
    page.mouse.move(x2, y2)
    page.mouse.click(x2, y2)
    results = page.locator("#within-results")
    expect(results).to_have_attribute("data-state", "ready")
    group = results.locator('.yj-within-group[data-layer="enterprises"]')
    expect(group.locator("li[data-id]")).to_have_count(1)
    expect(group.locator(f'li[data-id="{enterprise_b.pk}"]')).to_have_attribute("data-distance", "0")
    expect(results.locator('.yj-within-group[data-layer="sources"] li[data-id]')).to_have_count(1)
    snap(page, "radius")


def test_one_map_at_phone_width_has_the_map_and_the_layers(
    page, login, snap, admin_user, outlines, enterprise_a, enterprise_b
):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "admin")
    page.goto("/map/")
    expect(page.locator("#onemap")).to_have_attribute("data-ready", "1")
    box = page.locator("#onemap").bounding_box()
    assert box and box["width"] <= 390 and box["height"] >= 300
    expect(page.locator("#layer-enterprises")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "phone")
