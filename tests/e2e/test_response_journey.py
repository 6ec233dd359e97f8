"""The response journey in a real browser: the duty desk reports an accident with 3 deaths (picking the
place on the map), it is graded 较大 by Art. 3, a response is opened with the matched plan, the two
nearest teams are dispatched and a supply request moves stock out of a warehouse; the timeline and the
situation report show it all. Plans, teams and stock are set up through plans' and resources' services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A
from tests.e2e.conftest import wait_for_maps
from tests.incidents.scoping_incidents import make_plan, make_stock, make_team

from yingji.incidents.models import Dispatch, Incident, Response
from yingji.resources.models import Stock

pytestmark = pytest.mark.browser


def test_accident_response_journey(page, snap, login, outlines, staff_user):
    plan, _level = make_plan(staff_user, COUNTY)
    near = make_team("甲镇专职消防队", TOWN_A, 32.005, 120.905)
    second = make_team("县危化救援队", TOWN_A, 32.02, 120.93)
    far = make_team("乙镇救援队", TOWN_B, 32.15, 121.08)
    stock = make_stock(staff_user, TOWN_A, 20)

    login(page, "staff")
    page.goto("/incidents/add/")
    wait_for_maps(page)
    page.select_option("#id_kind", "accident")
    page.select_option("#id_subtype", "work_safety")
    page.fill("#id_title", "甲村化工厂爆炸")
    occurred = datetime.datetime.now() - datetime.timedelta(minutes=15)
    page.fill("#id_occurred_at", occurred.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_channel", "transfer_119")
    page.select_option("#id_division", VILLAGE_A)
    page.locator("#incident-pick-map").click(position={"x": 120, "y": 120})
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.fill("#id_latitude", "32.0")  # the exact spot, read off the enterprise's record
    page.fill("#id_longitude", "120.9")
    page.fill("#id_deaths", "3")
    snap(page, "1-intake")
    with page.expect_navigation():
        page.click("#save-button")

    expect(page.locator("#incident-grade")).to_have_attribute("data-grade", "larger")
    expect(page.locator("#grade-rule li")).to_have_count(1)
    expect(page.locator("#report-duties [data-kind='initial']")).to_have_count(1)
    snap(page, "2-graded")

    page.click("#respond-button")
    expect(page.locator(f"#response-open-form [data-plan='{plan.pk}']")).to_be_visible()
    with page.expect_navigation():
        page.click("#open-response")
    expect(page.locator("#response-title")).to_have_attribute("data-plan", str(plan.pk))
    expect(page.locator("#assignments [data-assignment]")).to_have_count(1)
    rows = page.locator("#nearest-teams tbody tr[data-team]")
    expect(rows.first).to_have_attribute("data-team", str(near.pk))
    expect(rows.nth(1)).to_have_attribute("data-team", str(second.pk))
    for _ in range(2):  # the nearest ready team each time
        with page.expect_navigation():
            page.locator("#nearest-teams [data-dispatch-team]").first.click()
    expect(page.locator("#dispatches [data-dispatch]")).to_have_count(2)

    page.select_option("#id_stock", str(stock.pk))
    page.fill("#id_quantity", "5")
    with page.expect_navigation():
        page.click("#supply-submit")
    expect(page.locator("#supplies [data-supply]")).to_have_count(1)
    snap(page, "3-response")

    response = Response.objects.get()
    assert {d.team_id for d in Dispatch.objects.filter(response=response)} == {near.pk, second.pk}
    assert far.pk not in {d.team_id for d in Dispatch.objects.all()}
    assert Stock.objects.get(pk=stock.pk).quantity == Decimal("15")
    incident = Incident.objects.get()
    assert incident.status == "responding"

    page.goto(f"/incidents/{incident.pk}/timeline/")
    timeline = page.locator("#timeline-table")
    expect(timeline.locator("tr[data-kind='dispatch']")).to_have_count(2)
    expect(timeline.locator("tr[data-kind='supply']")).to_have_count(1)
    expect(timeline.locator("tr[data-kind='response']")).to_have_count(1)
    expect(timeline.locator("tr[data-kind='intake']")).to_have_count(1)
    snap(page, "4-timeline")

    page.goto(f"/incidents/{incident.pk}/sitrep/")
    expect(page.locator("#sitrep-grade")).to_have_attribute("data-grade", "larger")
    expect(page.locator("#sitrep-plan")).to_contain_text(plan.title)
    expect(page.locator("#sitrep-dispatches tr")).to_have_count(2)
    expect(page.locator("#sitrep-supplies tr")).to_have_count(1)
    expect(page.locator("#sitrep-timeline tr[data-kind='dispatch']")).to_have_count(2)
    snap(page, "5-sitrep")
    with page.expect_download() as download:
        page.goto(f"/incidents/{incident.pk}/")
        page.click("#sitrep-docx")
    assert download.value.suggested_filename.endswith(".docx")
