"""Online monitoring in a real browser: a duty officer sees an active red alarm on the console,
acknowledges it, handles it with a disposal note, and opens the point's trend chart, which draws the
data and refetches at another resolution when the zoom changes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.conftest import COUNTY, _user
from tests.e2e.conftest import PHONE

from yingji.monitoring.models import Alarm, Device, Point, Reading, ReadingHour, ReadingMinute
from yingji.registry.models import MajorHazardSource

pytestmark = pytest.mark.browser


@pytest.fixture
def monitored(enterprise_a):
    source = MajorHazardSource.objects.create(
        enterprise=enterprise_a,
        division=enterprise_a.division,
        name="液氨罐区",
        category="hazchem",
        kind="storage",
        is_major=True,
        grade=2,
    )
    device = Device.objects.create(
        enterprise=enterprise_a,
        source=source,
        division=enterprise_a.division,
        code="E2E-1",
        name="罐区采集器",
        is_online=True,
        last_seen_at=timezone.now(),
    )
    point = Point.objects.create(
        device=device,
        enterprise=enterprise_a,
        source=source,
        division=enterprise_a.division,
        code="GT-101",
        name="可燃气体 GT-101",
        kind="combustible_gas",
        unit="%LEL",
        range_low=0,
        range_high=100,
        high1=25,
        high2=50,
        deadband=2,
        last_value=56.0,
        last_ts=timezone.now(),
    )
    now = timezone.now().replace(second=0, microsecond=0)
    Reading.objects.bulk_create(
        [
            Reading(point=point, ts=now - datetime.timedelta(seconds=10 * i), value=8 + (i % 7))
            for i in range(600)
        ]
    )
    ReadingMinute.objects.bulk_create(
        [
            ReadingMinute(
                point=point,
                bucket=now - datetime.timedelta(minutes=i),
                vmin=6 + (i % 5),
                vmax=14 + (i % 9),
                vsum=60.0 * (10 + (i % 4)),
                count=60,
            )
            for i in range(24 * 60)
        ]
    )
    ReadingHour.objects.bulk_create(
        [
            ReadingHour(
                point=point,
                bucket=now.replace(minute=0) - datetime.timedelta(hours=i),
                vmin=5 + (i % 3),
                vmax=20 + (i % 11),
                vsum=3600.0 * 11,
                count=3600,
            )
            for i in range(24 * 60)
        ]
    )
    alarm = Alarm.objects.create(
        point=point,
        device=device,
        enterprise=enterprise_a,
        source=source,
        division=enterprise_a.division,
        condition="high",
        severity=2,
        value=56.0,
        peak_value=58.0,
        threshold=50.0,
        raised_at=timezone.now() - datetime.timedelta(minutes=3),
    )
    return point, alarm


def test_duty_officer_handles_an_alarm_and_reads_the_trend(page, snap, login, monitored, county):
    point, alarm = monitored
    _user("duty", "duty_officer", COUNTY)
    login(page, "duty")

    page.goto("/monitoring/")
    expect(page.locator(f"[data-enterprise='{point.enterprise_id}']")).to_have_attribute("data-worst", "2")
    snap(page, "1-overview")

    page.goto("/monitoring/alarms/")
    row = page.locator(f"tr[data-alarm-id='{alarm.pk}']")
    expect(row).to_have_attribute("data-red", "1")
    expect(row).to_have_attribute("data-state", "active")
    toggle = page.locator("#alert-toggle")
    toggle.click()  # a user gesture: sound and notifications on
    expect(toggle).to_have_attribute("data-enabled", "1")
    snap(page, "2-console")
    with page.expect_navigation():
        row.locator("[data-action='acknowledge']:visible").click()
    expect(row).to_have_attribute("data-state", "acknowledged")
    row.locator("[data-action='handle']:visible").click()
    expect(page.locator("#handle-modal")).to_be_visible()
    page.fill("#id_handle-disposal", "现场确认法兰泄漏，已关阀并更换垫片")
    with page.expect_navigation():
        page.click("#handle-submit")
    expect(row).to_have_attribute("data-state", "handled")
    alarm.refresh_from_db()
    assert alarm.state == "handled" and alarm.disposal.startswith("现场确认")
    page.goto(f"/monitoring/alarms/{alarm.pk}/")
    expect(page.locator("#alarm-events [data-event='handled']")).to_have_count(1)

    page.goto(f"/monitoring/points/{point.pk}/")
    chart = page.locator("#trend-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute("data-resolution", "minute")
    assert int(chart.get_attribute("data-points")) > 1000
    snap(page, "3-trend")
    page.click("#trend-spans [data-span='7200']")
    expect(chart).to_have_attribute("data-resolution", "raw")
    assert int(chart.get_attribute("data-points")) > 100
    page.click("#trend-spans [data-span='31536000']")
    expect(chart).to_have_attribute("data-resolution", "hour")
    page.set_viewport_size(PHONE)
    expect(chart.locator("canvas")).to_have_count(1)
