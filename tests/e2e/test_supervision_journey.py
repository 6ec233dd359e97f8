"""Browser journey: the duty officer starts a roll-call of the 危化 enterprises, the enterprise answers
with one tap on a phone, the officer closes it and turns the silent enterprise into a hidden danger."""

import pytest
from tests.conftest import COUNTY, _user

from yingji.monitoring.models import RollCall, RollCallTarget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_roll_call_from_start_to_finding(page, login, snap, enterprise_a, enterprise_b, enterprise_a_user):
    from playwright.sync_api import expect

    enterprise_b.hazchem_use = True
    enterprise_b.save()
    _user("duty", "duty_officer", COUNTY)
    login(page, "duty")
    page.goto("/monitoring/supervision/rollcalls/add/")
    page.fill("#id_minutes", "10")
    page.check('input[name="flags"][value="hazchem_production"]')
    page.check('input[name="flags"][value="hazchem_use"]')
    page.click("#save-button")
    expect(page.locator("#rollcall-status")).to_have_attribute("data-status", "open")
    expect(page.locator('[data-count="pending"]')).to_have_text("2")
    snap(page, "started")
    call = RollCall.objects.get()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, enterprise_a_user.username)
    page.goto("/monitoring/supervision/rollcalls/answers/")  # the enterprise's own roll-call answers
    snap(page, "answer")
    page.click('[data-action="answer"]')
    expect(page.locator('[data-status="answered"]')).to_be_visible()
    assert RollCallTarget.objects.get(enterprise=enterprise_a).status == "answered"

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "duty")
    page.goto(f"/monitoring/supervision/rollcalls/{call.pk}/")
    page.click("#close-button")
    expect(page.locator("#rollcall-status")).to_have_attribute("data-status", "closed")
    expect(page.locator('[data-count="no_answer"]')).to_have_text("1")
    page.click('tr[data-status="no_answer"] [data-action="to_hazard"]')
    expect(page.locator("tr[data-status='no_answer'] [data-hazard]")).to_be_visible()
    snap(page, "closed")
    assert RollCallTarget.objects.get(enterprise=enterprise_b).hazard_id is not None
