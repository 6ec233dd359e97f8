"""Browser journey: a red warning is drafted, approved and issued by a second person through the
warning pages, and the live 叫应 board fills as acknowledgements arrive through the personal links."""

# ruff: noqa: F811 - the call_list fixture is imported from tests/alerts/test_calls.py

import datetime
import json
import urllib.request

import pytest
from django.utils import timezone
from tests.alerts.test_calls import call_list  # noqa: F401 - fixture
from tests.conftest import COUNTY, TOWN_A, _user

from yingji.alerts.models import Call, Warning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_ack(base_url: str, token: str) -> dict:
    request = urllib.request.Request(
        f"{base_url}/api/v1/alerts/calls/ack/{token}",
        data=json.dumps({"on_site": True}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_red_warning_from_draft_to_a_filling_board(page, login, live_server, call_list, staff_user):  # noqa: F811
    from playwright.sync_api import expect

    _user("duty2", "duty_officer", COUNTY)
    login(page, staff_user.username)
    page.goto("/alerts/warnings/add/")
    page.select_option("#id_level", "red")
    page.select_option("#id_event_type", "rainstorm")
    page.fill("#id_event", "暴雨")
    page.fill("#id_headline", "安澜县暴雨红色预警")
    expires = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_expires", expires)
    page.fill("#id_area_desc", "甲镇")
    page.select_option("#id_area_divisions", [TOWN_A])
    page.click("#save-button")
    expect(page.locator("#warning-status")).to_be_visible()
    warning = Warning.objects.get(headline="安澜县暴雨红色预警")
    assert warning.status == "draft"
    expect(page.locator('[data-action="issue"][data-refused="1"]')).to_be_visible()  # needs a second person

    page.context.clear_cookies()
    login(page, "duty2")
    page.goto(f"/alerts/warnings/{warning.pk}/")
    page.click('form[data-action="approve"] button')
    expect(page.locator('form[data-action="issue"]')).to_be_visible()
    page.click('form[data-action="issue"] button')
    expect(page.locator("#board-link")).to_be_visible()
    page.click("#board-link")

    expect(page.locator("#count-called")).to_have_attribute("data-count", "3")
    expect(page.locator("#count-acknowledged")).to_have_attribute("data-count", "0")
    tokens = list(
        Call.objects.filter(warning=warning, parent__isnull=True)
        .order_by("pk")
        .values_list("token", flat=True)
    )
    assert post_ack(live_server.url, tokens[0])["status"] == "acknowledged"
    expect(page.locator("#count-acknowledged")).to_have_attribute("data-count", "1", timeout=15_000)
    post_ack(live_server.url, tokens[1])
    post_ack(live_server.url, tokens[2])
    expect(page.locator("#count-acknowledged")).to_have_attribute("data-count", "3", timeout=15_000)
    expect(page.locator('#people tr[data-status="acknowledged"]')).to_have_count(3)
