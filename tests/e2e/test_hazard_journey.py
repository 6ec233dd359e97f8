"""The hidden-danger loop in a real browser: an enterprise reports a major hidden danger with a photo,
the bureau confirms it and lists it for supervision, the enterprise rectifies, the town rejects once and
then verifies, and the county, as the supervising authority, signs it off; the ledger and statistics
follow."""

from __future__ import annotations

import datetime
import io

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import PHONE

from yingji.hazards.models import Hazard

pytestmark = pytest.mark.browser


@pytest.fixture
def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "现场.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 60, 30)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def in_days(days: int) -> str:
    from django.utils import timezone

    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def as_user(page, login, username):
    page.context.clear_cookies()
    login(page, username)


def act(page, action: str, fields: dict | None = None, files: dict | None = None):
    """Open an action's dialog on the detail page, fill it, send it, and wait for the page to reload."""
    page.click(f"#hazard-actions [data-action='{action}']")
    dialog = page.locator(f"#modal-{action}")
    expect(dialog).to_be_visible()
    for name, value in (fields or {}).items():
        page.fill(f"#id_{action}-{name}", value)
    for name, path in (files or {}).items():
        page.set_input_files(f"#id_{action}-{name}", path)
    with page.expect_navigation():
        dialog.locator("button[type=submit]").click()


def status(page):
    return page.locator("#hazard-status")


def kpi(page, name):
    return page.locator(f"[data-kpi='{name}'] .h1")


def test_a_major_hidden_danger_goes_round_the_whole_loop(
    page, snap, login, photo, enterprise_a, enterprise_a_user, staff_user, town_a_official
):
    # The enterprise reports it on a phone, with a photo and the criterion of the 判定标准.
    page.set_viewport_size(PHONE)
    login(page, "ent_a")
    page.goto("/hazards/add/")
    page.fill("#id_title", "紧急停车系统未投用")
    page.select_option("#id_grade", "major")
    criteria = page.locator("[data-criteria]")
    expect(criteria).to_be_visible()
    criteria.locator("summary").first.click()
    criteria.locator("input[value='chem-2017-4']").check()
    page.set_input_files("#id_photos", photo)
    snap(page, "1-report")
    with page.expect_navigation():
        page.click("#save-button")
    expect(status(page)).to_have_attribute("data-status", "reported")
    expect(page.locator("#hazard-photos img")).to_have_count(1)
    hazard = Hazard.objects.get()
    detail = f"/hazards/{hazard.pk}/"

    # The county bureau confirms it and lists it for supervision (挂牌督办).
    page.set_viewport_size({"width": 1400, "height": 900})
    as_user(page, login, "staff")
    page.goto(detail)
    act(page, "confirm", {"due_at": in_days(30)})
    expect(status(page)).to_have_attribute("data-status", "confirmed")
    act(
        page,
        "list",
        {"unit": "安澜县应急管理局", "document_no": "安应急督〔2026〕1号", "due_at": in_days(40)},
    )
    expect(page.locator("#hazard-supervision")).to_contain_text("安应急督〔2026〕1号")
    snap(page, "2-listed")
    page.goto("/hazards/ledger/")
    expect(page.locator("#ledger-kpis .h1").first).to_have_text("1")
    expect(page.locator("#ledger-list")).to_contain_text("紧急停车系统未投用")

    # The enterprise plans the rectification with all of 五到位 and submits it with an after photo.
    as_user(page, login, "ent_a")
    page.goto(detail)
    act(
        page,
        "start",
        {
            "measures": "恢复紧急停车系统并联锁测试",
            "responsible": "王工",
            "funds": "50000",
            "contingency": "装置停车预案",
        },
    )
    expect(status(page)).to_have_attribute("data-status", "rectifying")
    act(page, "submit", {"note": "已恢复紧急停车系统"}, {"photos": photo})
    expect(status(page)).to_have_attribute("data-status", "submitted")
    expect(page.locator("#hazard-actions [data-action='verify']")).to_have_count(0)  # not by the rectifier

    # The town rejects it once; the enterprise submits again; the town verifies it.
    as_user(page, login, "town_a")
    page.goto(detail)
    act(page, "reject", {"note": "联锁未做测试记录"})
    expect(status(page)).to_have_attribute("data-status", "rectifying")
    as_user(page, login, "ent_a")
    page.goto(detail)
    act(page, "submit", {"note": "联锁测试已完成，附测试记录"})
    as_user(page, login, "town_a")
    page.goto(detail)
    act(page, "verify", {"note": "现场核验合格"})
    expect(status(page)).to_have_attribute("data-status", "verified")
    expect(page.locator("#hazard-actions [data-action='sign_off']")).to_have_count(0)  # the county listed it
    snap(page, "3-verified")

    # The county, the supervising authority, signs it off: closed (销号), off the ledger, in the statistics.
    as_user(page, login, "staff")
    page.goto(detail)
    act(page, "sign_off", {"note": "同意销号"})
    expect(status(page)).to_have_attribute("data-status", "closed")
    expect(page.locator("#hazard-timeline")).to_contain_text("联锁未做测试记录")
    snap(page, "4-closed")
    hazard.refresh_from_db()
    assert hazard.rejections == 1 and hazard.verified_by.username == "town_a"
    page.goto("/hazards/ledger/")
    expect(page.locator("#ledger-kpis .h1").first).to_have_text("0")
    page.goto("/hazards/statistics/")
    expect(kpi(page, "found")).to_have_text("1")
    expect(kpi(page, "closed")).to_have_text("1")
    snap(page, "5-statistics")
