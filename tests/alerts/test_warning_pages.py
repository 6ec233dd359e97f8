"""The warning pages: list, detail, draft form (divisions + polygons), actions, broadcast; bad inputs
and scoping. Assertions on status codes, data and element ids/attributes only (the UI is Chinese)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A

from yingji.alerts import services
from yingji.alerts.models import CapMessage, Warning

POLYGON = [[32.0, 120.8], [32.1, 120.9], [32.0, 121.0]]


def make_warning(actor, *, division=COUNTY, level="blue", expires_in=datetime.timedelta(hours=6), **extra):
    now = timezone.now()
    fields = {
        "division_id": division,
        "event_type": "rainstorm",
        "event": "暴雨",
        "level": level,
        "headline": extra.pop("headline", f"{level}暴雨预警"),
        "instruction": "请群众注意防范。",
        "onset": now,
        "expires": now + expires_in,
    }
    fields.update(extra)
    area_codes = [division]
    fields["division"] = fields.pop("division_id")
    from yingji.core.models import Division

    fields["division"] = Division.objects.get(code=fields["division"])
    return services.create_draft(
        actor=actor,
        areas=[{"area_desc": "测试区域", "division_codes": area_codes, "polygons": [POLYGON + [POLYGON[0]]]}],
        **fields,
    )


def form_data(**changes) -> dict:
    now = timezone.localtime()
    data = {
        "division": COUNTY,
        "source": "met",
        "event_type": "rainstorm",
        "event": "",
        "level": "red",
        "severity": "Extreme",
        "urgency": "Immediate",
        "certainty": "Likely",
        "headline": "安澜县气象台发布暴雨红色预警",
        "description": "预计未来3小时降雨量将达100毫米以上。",
        "instruction": "停止集会、停课停业；危险地带人员立即转移。",
        "onset": now.strftime("%Y-%m-%dT%H:%M"),
        "expires": (now + datetime.timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M"),
        "cap_scope": "Public",
        "area_desc": "",
        "area_divisions": [TOWN_A, VILLAGE_A],
        "polygons": json.dumps([POLYGON]),
    }
    data.update(changes)
    return data


@pytest.fixture
def drafter(admin_user):
    return admin_user


def test_list_shows_colour_badges_and_filters(client_for, drafter, county):
    make_warning(drafter, level="red", headline="甲预警标题")
    make_warning(drafter, level="blue", headline="乙预警标题")
    client = client_for(drafter)
    response = client.get(reverse("alerts:warning_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-level="red"' in body and 'data-level="blue"' in body
    response = client.get(reverse("alerts:warning_list"), {"level": "red"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲预警标题" in body and "乙预警标题" not in body
    for query in (
        {"status": "draft"},
        {"source": "internal"},
        {"event_type": "rainstorm"},
        {"active_from": "2026-01-01"},
    ):
        assert client.get(reverse("alerts:warning_list"), query).status_code == 200


def test_draft_form_creates_a_warning_with_divisions_and_a_closed_polygon(client_for, drafter, county):
    client = client_for(drafter)
    assert client.get(reverse("alerts:warning_add")).status_code == 200
    response = client.post(reverse("alerts:warning_add"), form_data())
    assert response.status_code == 302
    warning = Warning.objects.get()
    assert warning.status == "draft" and warning.level == "red" and warning.drafted_by == drafter
    assert (warning.severity, warning.urgency, warning.certainty) == ("Extreme", "Immediate", "Likely")
    assert warning.event == "暴雨" and warning.category == "Met"
    area = warning.areas.get()
    assert sorted(d.code for d in area.divisions.all()) == sorted([TOWN_A, VILLAGE_A])
    assert area.polygons == [POLYGON + [POLYGON[0]]]  # closed for the user
    assert area.area_desc  # the divisions' names


def test_cap_triple_is_kept_apart_from_the_colour(client_for, drafter, county):
    client = client_for(drafter)
    response = client.post(
        reverse("alerts:warning_add"), form_data(level="red", severity="Severe", urgency="Expected")
    )
    assert response.status_code == 302
    warning = Warning.objects.get()
    assert (warning.level, warning.severity, warning.urgency) == ("red", "Severe", "Expected")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"expires": "2026-01-01T08:00", "onset": "2026-01-01T09:00"}, "expires"),
        ({"polygons": json.dumps([[[32.0, 120.8], [32.1, 120.9]]])}, "polygons"),
        ({"polygons": json.dumps([[[32.0, 120.8], [32.1, 120.9], [32.0, 120.8]]])}, "polygons"),
        ({"polygons": "not json"}, "polygons"),
        ({"polygons": "", "area_divisions": []}, "area_divisions"),
        ({"headline": ""}, "headline"),
        ({"level": "purple"}, "level"),
        ({"division": TOWN_B[:6] + "999000"}, "division"),
    ],
)
def test_bad_draft_input_names_the_field_and_writes_nothing(client_for, drafter, county, changes, field):
    response = client_for(drafter).post(reverse("alerts:warning_add"), form_data(**changes))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not Warning.objects.exists()


def test_detail_shows_map_chain_history_and_explains_why_the_drafter_cannot_approve(
    client_for, drafter, county
):
    warning = make_warning(drafter, level="red")
    response = client_for(drafter).get(reverse("alerts:warning_detail", args=[warning.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="warning-map"' in body and 'id="warning-map-data"' in body
    assert "120.8" in body  # the polygon for the map
    assert 'data-action="approve" data-refused="1"' in body  # the drafter sees why not
    assert 'data-action="issue" data-refused="1"' in body  # red: approval first
    assert 'id="cap-chain"' in body and 'id="warning-history"' in body
    assert 'data-event="create"' in body


def test_red_warning_needs_a_second_person(client_for, drafter, second_approver, county):
    warning = make_warning(drafter, level="red")
    client = client_for(drafter)
    response = client.post(reverse("alerts:warning_approve", args=[warning.pk]))
    assert response.status_code == 409
    assert 'data-field="approved_by"' in response.content.decode()
    warning.refresh_from_db()
    assert warning.status == "draft" and warning.approved_by is None
    response = client.post(reverse("alerts:warning_issue", args=[warning.pk]))
    assert response.status_code == 409
    assert Warning.objects.get(pk=warning.pk).status == "draft"

    client = client_for(second_approver)
    assert client.post(reverse("alerts:warning_approve", args=[warning.pk])).status_code == 302
    warning.refresh_from_db()
    assert warning.status == "approved" and warning.approved_by == second_approver
    assert client_for(drafter).post(reverse("alerts:warning_issue", args=[warning.pk])).status_code == 302
    warning.refresh_from_db()
    assert warning.status == "issued" and warning.identifier
    assert CapMessage.objects.filter(warning=warning, msg_type="Alert").count() == 1


def test_issuing_an_expired_warning_is_refused(client_for, drafter, county):
    warning = make_warning(drafter, level="blue", expires_in=datetime.timedelta(hours=-1))
    response = client_for(drafter).post(reverse("alerts:warning_issue", args=[warning.pk]))
    assert response.status_code == 409
    assert 'data-field="expires"' in response.content.decode()
    warning.refresh_from_db()
    assert warning.status == "draft" and not warning.messages.exists()


def test_update_and_cancel_an_issued_warning(client_for, drafter, county):
    warning = services.issue(make_warning(drafter, level="yellow"), actor=drafter)
    client = client_for(drafter)
    assert client.get(reverse("alerts:warning_edit", args=[warning.pk])).status_code == 200
    response = client.post(
        reverse("alerts:warning_edit", args=[warning.pk]), form_data(level="orange", headline="升级为橙色")
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == "updated" and warning.level == "orange" and warning.msg_type == "Update"
    assert warning.messages.count() == 2
    assert client.post(reverse("alerts:warning_cancel", args=[warning.pk])).status_code == 302
    warning.refresh_from_db()
    assert warning.status == "cancelled" and warning.messages.filter(msg_type="Cancel").exists()
    # A cancelled warning cannot be issued again: refused, nothing changed.
    assert client.post(reverse("alerts:warning_issue", args=[warning.pk])).status_code == 409
    assert Warning.objects.get(pk=warning.pk).status == "cancelled"


def test_edit_a_draft_keeps_it_a_draft(client_for, drafter, county):
    warning = make_warning(drafter, level="blue")
    response = client_for(drafter).post(
        reverse("alerts:warning_edit", args=[warning.pk]), form_data(level="yellow", polygons="[]")
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == "draft" and warning.level == "yellow"
    assert warning.areas.get().polygons == []


def test_scoping_other_town_and_enterprise(client_for, drafter, town_a_official, enterprise_a_user, county):
    town_b_warning = make_warning(drafter, division=TOWN_B, level="blue")
    county_warning = services.issue(make_warning(drafter, level="blue"), actor=drafter)
    client = client_for(town_a_official)
    for name in ("warning_detail", "warning_broadcast"):
        assert client.get(reverse(f"alerts:{name}", args=[town_b_warning.pk])).status_code == 404
    # A live county warning covers town A: the town reads it and prints its broadcast text …
    assert client.get(reverse("alerts:warning_detail", args=[county_warning.pk])).status_code == 200
    assert client.get(reverse("alerts:warning_broadcast", args=[county_warning.pk])).status_code == 200
    listing = client.get(reverse("alerts:warning_list")).content.decode()
    assert f'data-warning="{county_warning.pk}"' in listing
    assert f'data-warning="{town_b_warning.pk}"' not in listing
    # … but cannot act on it.
    assert client.post(reverse("alerts:warning_cancel", args=[county_warning.pk])).status_code == 404
    assert client.post(reverse("alerts:warning_add"), form_data()).status_code == 403
    assert Warning.objects.get(pk=county_warning.pk).status == "issued"
    client = client_for(enterprise_a_user)
    assert client.get(reverse("alerts:warning_list")).status_code == 403
    assert client.get(reverse("alerts:warning_detail", args=[county_warning.pk])).status_code == 403
    assert client.get(reverse("alerts:warning_broadcast", args=[county_warning.pk])).status_code == 403


def test_town_b_does_not_see_a_town_a_warning(client_for, drafter, town_b_official, county):
    warning = services.issue(make_warning(drafter, division=TOWN_A, level="blue"), actor=drafter)
    client = client_for(town_b_official)
    assert client.get(reverse("alerts:warning_detail", args=[warning.pk])).status_code == 404
    assert client.post(reverse("alerts:warning_cancel", args=[warning.pk])).status_code == 404
    assert Warning.objects.get(pk=warning.pk).status == "issued"


def test_broadcast_text_is_printed_twice(client_for, drafter, county):
    warning = make_warning(drafter, level="yellow", headline="暴雨黄色预警")
    warning = services.issue(warning, actor=drafter)
    response = client_for(drafter).get(reverse("alerts:warning_broadcast", args=[warning.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="broadcast-text-1"' in body and 'id="broadcast-text-2"' in body
    assert body.count("暴雨黄色预警。") >= 2
    assert body.count("请群众注意防范。") == 2
    assert 'id="not-live"' not in body


def test_anonymous_is_sent_to_login(client, county):
    response = client.get(reverse("alerts:warning_list"))
    assert response.status_code == 302
