"""Journeys through the platform in a real browser: what a bureau's staff actually click through."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.conftest import PASSWORD, TOWN_A, VILLAGE_A, VILLAGE_B, make_uscc
from tests.e2e.conftest import PHONE

from yingji.registry.models import Enterprise

pytestmark = pytest.mark.browser


def test_logging_in_in_chinese_then_switching_to_english(page, snap, town_a_official):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#login-button")).to_have_text("登录")
    snap(page, "1-login")

    page.fill("#id_username", "town_a")
    page.fill("#id_password", "not-the-password")
    page.click("#login-button")
    expect(page.locator("#login-error")).to_be_visible()
    snap(page, "2-wrong-password")

    page.fill("#id_password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#kpis")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    snap(page, "3-overview-chinese")

    page.select_option("#language-form select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#kpis")).to_contain_text("Enterprises")
    expect(page.locator("#logout-button")).to_have_text("Log out")
    snap(page, "4-overview-english")

    page.click("#user-menu")
    page.click("#logout-button")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#login-button")).to_have_text("Log in")
    snap(page, "5-logged-out-english")

    page.fill("#id_username", "town_a")
    page.fill("#id_password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#kpis")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_town_official_sees_only_their_town_and_filters_the_list(
    page, snap, login, town_a_official, enterprise_a, enterprise_b
):
    Enterprise.objects.create(
        name="甲镇纺织有限公司", uscc=make_uscc(3), industry="17", division_id=VILLAGE_A
    )
    login(page, "town_a")
    page.goto("/enterprises/")
    table = page.locator("#object-list")
    expect(table).to_contain_text(enterprise_a.name)
    expect(table).to_contain_text("甲镇纺织有限公司")
    expect(table).not_to_contain_text(enterprise_b.name)
    snap(page, "1-list")

    response = page.goto(f"/enterprises/{enterprise_b.pk}/")
    assert response.status == 404
    expect(page.locator(".empty-header")).to_have_text("404")
    expect(page.locator("body")).not_to_contain_text(enterprise_b.name)
    snap(page, "2-other-town-404")

    page.goto("/enterprises/")
    page.evaluate("window.yjNoReload = true")
    page.fill("#id_q", "纺织")
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.click("#filter-submit")
    expect(table).not_to_contain_text(enterprise_a.name)
    expect(table).to_contain_text("甲镇纺织有限公司")
    expect(page).to_have_url(re.compile(r"/enterprises/\?.*q=%E7%BA%BA%E7%BB%87"))
    assert page.evaluate("window.yjNoReload") is True, (
        "the filter reloaded the page instead of swapping #object-table"
    )
    snap(page, "3-filtered")


def _enterprises_on_map(user) -> int:
    return Enterprise.objects.for_user(user).filter(longitude__isnull=False, latitude__isnull=False).count()


COUNTY_BLUE = [0x1D, 0x4E, 0xD8]  # map.js draws the county outline in this colour
# Pixels of the map's canvas close to a colour (outlines and points are drawn on one canvas).
COUNT_COLOUR_JS = """([selector, rgb]) => {
  let count = 0;
  for (const canvas of document.querySelectorAll(selector + ' canvas')) {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - rgb[0]) < 40 && Math.abs(data[i + 1] - rgb[1]) < 40
          && Math.abs(data[i + 2] - rgb[2]) < 40 && data[i + 3] > 100) count++;
    }
  }
  return count;
}"""


def test_overview_map_draws_outlines_and_the_enterprises_in_scope(
    page, snap, login, staff_user, outlines, enterprise_a, enterprise_b
):
    Enterprise.objects.create(name="无坐标五金厂", uscc=make_uscc(4), industry="33", division_id=VILLAGE_B)
    expected = _enterprises_on_map(staff_user)
    assert expected == 2
    login(page, "staff")
    home_map = page.locator("#home-map")
    expect(home_map).to_have_attribute("data-ready", "1")
    expect(home_map).to_have_attribute("data-points", str(expected))
    # Leaflet draws vectors on a canvas here (preferCanvas), so look for the county's blue outline.
    expect(home_map.locator(".leaflet-overlay-pane canvas")).to_have_count(1)
    page.wait_for_function(f"(args) => ({COUNT_COLOUR_JS})(args) > 200", arg=["#home-map", COUNTY_BLUE])
    snap(page, "1-overview-map")

    page.goto("/enterprises/?q=甲镇")
    list_map = page.locator("#list-map")
    expect(list_map).not_to_have_attribute("data-ready", "1")
    page.click("#map-toggle summary")
    expect(list_map).to_have_attribute("data-ready", "1")
    expect(list_map).to_have_attribute("data-points", "1")  # only enterprise A matches 甲镇
    expect(list_map.locator(".leaflet-overlay-pane canvas")).to_have_count(1)
    snap(page, "2-list-map")


def test_town_officials_map_shows_only_their_town(
    page, login, town_a_official, outlines, enterprise_a, enterprise_b
):
    assert _enterprises_on_map(town_a_official) == 1
    login(page, "town_a")
    home_map = page.locator("#home-map")
    expect(home_map).to_have_attribute("data-ready", "1")
    expect(home_map).to_have_attribute("data-points", "1")
    outlines_json = page.evaluate("fetch('/divisions/outlines.json').then(r => r.json())")
    assert [f["properties"]["code"] for f in outlines_json["features"]] == [TOWN_A]


def _no_horizontal_overflow(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: the page is {widths[0]}px wide in a {widths[1]}px window"


def test_phone_width_pages_fit_and_the_menu_opens(
    page, snap, login, staff_user, outlines, enterprise_a, enterprise_b
):
    page.set_viewport_size(PHONE)
    login(page, "staff")
    expect(page.locator("#home-map")).to_have_attribute("data-ready", "1")
    _no_horizontal_overflow(page)
    menu = page.locator("#sidebar-menu")
    expect(menu).to_be_hidden()
    page.click("aside .navbar-toggler")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # opened, the collapse animation over
    expect(menu).to_be_visible()
    expect(menu.locator("a[href='/enterprises/']")).to_be_visible()
    snap(page, "1-menu-open")

    menu.locator("a[href='/enterprises/']").click()
    expect(page.locator("#object-list")).to_contain_text(enterprise_a.name)
    _no_horizontal_overflow(page)
    snap(page, "2-list")


def test_editing_an_enterprise_shows_field_errors_then_saves(
    page, snap, login, town_a_official, enterprise_a
):
    login(page, "town_a")
    page.goto(f"/enterprises/{enterprise_a.pk}/")
    page.click("#edit-button")
    expect(page.locator("#enterprise-form")).to_be_visible()
    good = make_uscc(8)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page.fill("#id_uscc", bad)
    page.click("#save-button")
    error = page.locator('[data-field="uscc"]')
    expect(error).to_be_visible()
    expect(page.locator("#form-errors")).to_be_visible()
    # Next to the field: in the same form column as the input.
    expect(page.locator("#id_uscc").locator("xpath=..").locator('[data-field="uscc"]')).to_have_count(1)
    snap(page, "1-bad-uscc")
    enterprise_a.refresh_from_db()
    assert enterprise_a.uscc == make_uscc(1)

    page.fill("#id_uscc", good)
    page.fill("#id_name", "甲镇精细化工有限公司")
    page.click("#save-button")
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise_a.pk}/$"))
    expect(page.locator(".page-title")).to_have_text("甲镇精细化工有限公司")
    expect(page.locator("code").first).to_have_text(good)
    snap(page, "2-saved")
    enterprise_a.refresh_from_db()
    assert (enterprise_a.name, enterprise_a.uscc) == ("甲镇精细化工有限公司", good)


IMPORT_HEADERS = ["企业名称", "统一社会信用代码", "行业", "所属区划", "经度", "纬度"]


def _xlsx(path, rows) -> str:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业信息"
    sheet.append(IMPORT_HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return str(path)


def test_importing_a_bad_file_reports_every_problem_then_a_good_file_imports(
    page, snap, login, tmp_path, town_a_official, enterprise_a
):
    good_rows = [
        ["甲镇五金制品厂", make_uscc(11), "33", VILLAGE_A, 120.88, 32.01],
        ["甲镇食品有限公司", make_uscc(12), "14", VILLAGE_A, 120.91, 32.02],
        ["甲镇包装材料厂", make_uscc(13), "22", TOWN_A, 120.93, 32.03],
    ]
    bad_rows = [list(row) for row in good_rows]
    wrong = bad_rows[0][1]
    bad_rows[0][1] = wrong[:17] + ("0" if wrong[17] != "0" else "1")  # wrong check character
    bad_rows[1][4] = 150.5  # east of China
    bad_rows[2][3] = "329901001099"  # no such village
    bad_file = _xlsx(tmp_path / "bad.xlsx", bad_rows)
    good_file = _xlsx(tmp_path / "good.xlsx", good_rows)
    before = Enterprise.objects.count()

    login(page, "town_a")
    page.goto("/enterprises/")
    page.click("#import-button")
    expect(page.locator("#import-form")).to_be_visible()
    snap(page, "1-upload-page")

    page.set_input_files("#import-file", bad_file)
    page.click("#import-submit")
    report = page.locator("#import-report tbody tr")
    expect(report).to_have_count(3)
    cells = [tuple(report.nth(i).locator("td").nth(j).inner_text().strip() for j in (0, 1)) for i in range(3)]
    assert sorted(cells) == [("2", "统一社会信用代码"), ("3", "经度"), ("4", "所属区划")]
    expect(page.locator("#import-failed")).to_be_visible()
    expect(page.locator("#import-success")).to_have_count(0)
    assert Enterprise.objects.count() == before
    snap(page, "2-bad-file-report")

    page.set_input_files("#import-file", good_file)
    page.click("#import-submit")
    expect(page.locator("#import-success")).to_be_visible()
    expect(page.locator("#import-report")).to_have_count(0)
    assert Enterprise.objects.count() == before + 3
    snap(page, "3-imported")

    page.goto("/enterprises/")
    table = page.locator("#object-list")
    for name, *_rest in good_rows:
        expect(table).to_contain_text(name)
