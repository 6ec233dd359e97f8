"""Browser journey at phone width: a town official issues stock from a warehouse (refused above
stock, then accepted), records a shelter's occupancy, and finds the nearest teams to a point."""

import pytest
from tests.conftest import TOWN_A

from yingji.resources import services
from yingji.resources.models import Shelter, Stock, SupplyItem, Team, Warehouse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_issue_stock_occupancy_and_nearest(page, login, snap, town_a_official):
    from playwright.sync_api import expect

    warehouse = Warehouse.objects.create(
        name="甲镇仓库", level="town", division_id=TOWN_A, latitude=32, longitude=120.9
    )
    services.receive_stock(
        actor=None,
        warehouse=warehouse,
        item=SupplyItem.objects.get(code="tent"),
        quantity=5,
        reason="采购",
        minimum=3,
    )
    stock = Stock.objects.get()
    shelter = Shelter.objects.create(
        name="甲镇小学", division_id=TOWN_A, latitude=32, longitude=120.9, capacity=50, is_open=True
    )
    for i in range(3):
        Team.objects.create(
            name=f"队{i}", kind="social", division_id=TOWN_A, latitude=32 + i / 100, longitude=120.9
        )

    login(page, town_a_official.username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/resources/warehouses/{warehouse.pk}/")
    expect(page.locator(f'#warehouse-stock tr[data-stock="{stock.pk}"]')).to_be_visible()
    page.goto(f"/resources/stock/{stock.pk}/")
    page.fill("#id_issue-quantity", "9")
    page.fill("#id_issue-reason", "调拨")
    page.click("#issue-form button[type=submit]")
    expect(page.locator('[data-field="quantity"]')).to_be_visible()
    assert Stock.objects.get().quantity == 5
    page.fill("#id_issue-quantity", "3")
    page.fill("#id_issue-reason", "调拨")
    page.click("#action-form button[type=submit]")
    expect(page.locator("#stock-quantity")).to_have_attribute("data-quantity", "2.00")
    expect(page.locator('[data-flag="below_minimum"]')).to_be_visible()
    snap(page, "stock")

    page.goto(f"/resources/shelters/{shelter.pk}/")
    page.fill("#id_occupancy", "40")
    page.click("#occupancy-form button[type=submit]")
    expect(page.locator("#shelter-occupancy")).to_have_attribute("data-occupancy", "40")

    page.goto("/resources/nearest/")
    page.select_option("#id_kind", "team")
    page.fill("#id_latitude", "32.015")
    page.fill("#id_longitude", "120.9")
    page.click("#nearest-submit")
    expect(page.locator("#nearest-results tbody tr[data-id]")).to_have_count(3)
    snap(page, "nearest")
