"""The inbox in a real browser: the bell shows the unread count, reading a message lowers it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from yingji.messaging import services as messaging
from yingji.messaging.models import Message

pytestmark = pytest.mark.browser


def test_reading_messages_lowers_the_bell_count(page, snap, login, town_a_official):
    for n in range(3):
        messaging.send([town_a_official], "notice", {"subject": f"通知 {n}", "text": "请查收。"}, ["inapp"])
    login(page, "town_a")
    expect(page.locator("#inbox-unread")).to_have_text("3")
    snap(page, "1-bell")

    page.click("#inbox-bell")
    expect(page.locator("#message-list")).to_be_visible()
    first = Message.objects.filter(recipient=town_a_official).order_by("-created_at", "-id").first()
    item = page.locator(f"#message-{first.pk}")
    expect(item).to_contain_text(first.subject)
    snap(page, "2-inbox")

    item.locator("button[type=submit]").click()
    expect(page.locator(f"#message-{first.pk} button[type=submit]")).to_have_count(0)
    expect(page.locator("#inbox-unread")).to_have_text("2")
    first.refresh_from_db()
    assert first.read_at is not None

    page.click("#mark-all-read")
    expect(page.locator("#inbox-unread")).to_have_count(0)
    expect(page.locator("#mark-all-read")).to_have_count(0)
    snap(page, "3-all-read")
    assert not Message.objects.filter(recipient=town_a_official, read_at__isnull=True).exists()
