"""叫应 over HTTP: the board (page, partial, exports), the personal link without login, the SMS gateway
reply endpoint, the duty officer's record, and the call-list API refusing a loop in superiors."""

# ruff: noqa: F811 - the call_list fixture is imported from tests/alerts/test_calls.py

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from tests.alerts.test_calls import call_list, red_warning, root_of  # noqa: F401 - fixtures

from yingji.alerts.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(call_list, staff_user, second_approver):  # noqa: F811
    return red_warning(staff_user, second_approver)


def test_the_board_renders_counts_and_people(warning, client_for, staff_user):
    client = client_for(staff_user)
    response = client.get(reverse("alerts:call_board", args=[warning.pk]))
    assert response.status_code == 200
    assert b'id="count-called" data-count="3"' in response.content
    partial = client.get(reverse("alerts:call_board", args=[warning.pk]) + "?partial=1&status=calling")
    assert partial.status_code == 200 and b"<html" not in partial.content
    assert partial.content.count(b'data-status="calling"') == 3


def test_the_closing_record_exports(warning, client_for, staff_user):
    client = client_for(staff_user)
    xlsx = client.get(reverse("alerts:call_board_export", args=[warning.pk, "xlsx"]))
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    calls_sheet, steps_sheet = book.worksheets
    assert calls_sheet.max_row == 2 + 3 and steps_sheet.max_row == 1 + 3
    assert "139****0004" in [c.value for row in calls_sheet.iter_rows() for c in row]
    docx = client.get(reverse("alerts:call_board_export", args=[warning.pk, "docx"]))
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert warning.headline in text
    assert client.get(reverse("alerts:call_board_export", args=[warning.pk, "pdf"])).status_code == 404


def test_the_board_needs_a_login(warning, client):
    response = client.get(reverse("alerts:call_board", args=[warning.pk]))
    assert response.status_code == 302


def test_the_personal_link_works_without_login(warning, client):
    call = root_of(warning, "甲村书记")
    url = reverse("alerts:call_ack_link", args=[call.token])
    assert client.get(url).status_code == 200
    response = client.post(url, {"on_site": "on", "evacuated": "7"})
    assert response.status_code == 200 and b'id="ack-done"' in response.content
    call.refresh_from_db()
    assert (call.status, call.ack_method, call.evacuated) == ("acknowledged", "link", 7)
    again = client.post(url, {})
    assert again.status_code == 409 and b'data-code="code_used"' in again.content
    assert client.get(reverse("alerts:call_ack_link", args=["nope"])).status_code == 404


def test_the_api_link_and_sms_reply(warning, client, settings):
    village, town = root_of(warning, "甲村书记"), root_of(warning, "甲镇镇长")
    ok = client.post(
        f"/api/v1/alerts/calls/ack/{village.token}", {"evacuated": 3}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    reused = client.post(f"/api/v1/alerts/calls/ack/{village.token}", content_type="application/json")
    assert reused.status_code == 409 and reused.json()["code"] == "code_used"
    bad = client.post(
        f"/api/v1/alerts/calls/ack/{town.token}", {"evacuated": -1}, content_type="application/json"
    )
    assert (
        bad.status_code == 400
        and bad.json()["code"] == "invalid_data"
        and "evacuated" in bad.json()["fields"]
    )
    other = client.post(
        "/api/v1/alerts/calls/sms-reply",
        {"phone": "13900000004", "text": town.code},
        content_type="application/json",
    )
    assert other.status_code == 403 and other.json()["code"] == "wrong_person"
    settings.CALL_SMS_REPLY_TOKEN = "gateway-secret"
    payload = {"phone": "13900000002", "text": f"收到{town.code}"}
    refused = client.post("/api/v1/alerts/calls/sms-reply", payload, content_type="application/json")
    assert refused.status_code == 401
    mine = client.post(
        "/api/v1/alerts/calls/sms-reply",
        payload,
        content_type="application/json",
        headers={"Authorization": "Bearer gateway-secret"},
    )
    assert mine.status_code == 200 and mine.json()["method"] == "sms"
    assert Call.objects.get(pk=town.pk).status == "acknowledged"


def test_the_duty_officer_records_a_phone_answer(warning, client_for, second_approver):
    call = root_of(warning, "县指挥长")
    client = client_for(second_approver)
    response = client.post(reverse("alerts:call_ack", args=[call.pk]), {"support_needed": "抽水泵"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.status, call.ack_method, call.support_needed) == ("acknowledged", "phone", "抽水泵")
    api = client.get(f"/api/v1/alerts/calls/warnings/{warning.pk}/board")
    assert api.status_code == 200 and api.json()["total"]["acknowledged"] == 1


def test_a_leader_without_the_permission_cannot_record(warning, client_for, leader):
    call = root_of(warning, "县指挥长")
    response = client_for(leader).post(f"/api/v1/alerts/calls/{call.pk}/ack", content_type="application/json")
    assert response.status_code == 403
    assert Call.objects.get(pk=call.pk).status == "calling"


def test_the_call_list_api_refuses_a_loop(call_list, client_for, staff_user):  # noqa: F811
    client = client_for(staff_user)
    hq, village = call_list["hq"], call_list["village_a"]
    body = {"division": hq.division_id, "tier": "county_hq", "name": hq.name, "phone": hq.phone,
            "superior": village.pk, "min_level": "orange"}  # fmt: skip
    response = client.put(f"/api/v1/alerts/calls/lists/{hq.pk}", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "superior_loop" and "superior" in response.json()["fields"]
    listed = client.get("/api/v1/alerts/calls/lists").json()
    assert listed["count"] == 7 and all("****" in item["phone"] for item in listed["items"])


def test_the_call_list_pages(call_list, client_for, staff_user):  # noqa: F811
    client = client_for(staff_user)
    assert client.get(reverse("alerts:calllistentry_list")).status_code == 200
    assert client.get(reverse("alerts:calllistentry_add")).status_code == 200
    hq, village = call_list["hq"], call_list["village_a"]
    form = {"division": hq.division_id, "tier": "county_hq", "name": hq.name, "phone": hq.phone, "role": "A",
            "superior": village.pk, "min_level": "orange", "channels": ["sms"], "active": "on"}  # fmt: skip
    response = client.post(reverse("alerts:calllistentry_edit", args=[hq.pk]), form)
    assert response.status_code == 400 and b'data-field="superior"' in response.content


def test_the_board_groups_by_town_and_drills_down_to_villages(warning):
    from tests.conftest import TOWN_A, VILLAGE_A

    from yingji.alerts import services_calls

    whole = services_calls.board(warning)
    assert {row["division_id"]: row["called"] for row in whole["by_division"]} == {
        "329901000000": 1,
        TOWN_A: 2,
    }
    town = services_calls.board(warning, prefix=TOWN_A[:9])
    assert {row["division_id"]: row["called"] for row in town["by_division"]} == {TOWN_A: 1, VILLAGE_A: 1}
    assert town["total"]["called"] == 2


def test_the_sms_gateway_posts_replies_in_a_batch(warning, client):
    village, town = root_of(warning, "甲村书记"), root_of(warning, "甲镇镇长")
    replies = [
        {"phone": "13900000004", "text": f"收到 {village.code}"},
        {"phone": "13900000004", "text": f"收到 {village.code}"},  # the same reply again
        {"phone": "13900000004", "text": town.code},  # someone else's code
        {"phone": "+86 13900000002", "text": town.code},
    ]
    response = client.post(
        "/api/v1/alerts/calls/sms-replies", {"replies": replies}, content_type="application/json"
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r.get("status") or r["code"] for r in results] == [
        "acknowledged",
        "code_used",
        "wrong_person",
        "acknowledged",
    ]
    assert set(Call.objects.filter(pk__in=[village.pk, town.pk]).values_list("ack_method", flat=True)) == {
        "sms"
    }
