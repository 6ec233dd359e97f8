"""Roll-calls over HTTP: the API (start, answer, close), the SMS callback, the one-tap page."""

from __future__ import annotations

import json

import pytest

from yingji.monitoring import services_supervision as services
from yingji.monitoring.models import RollCall, RollCallTarget

API = "/api/v1/monitoring/supervision"


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def roll_call(duty_officer, enterprise_a, enterprise_b, enterprise_a_user):
    return services.start_roll_call(actor=duty_officer, title="点名", minutes=10)


def test_duty_officer_starts_over_the_api(client_for, duty_officer, enterprise_a, enterprise_b):
    response = post(
        client_for(duty_officer), f"{API}/rollcalls", {"minutes": 5, "flags": ["hazchem_production"]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["target_count"] == 1 and body["counts"]["pending"] == 1 and len(body["code"]) == 6


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": -1}, "minutes"),
        ({"minutes": 5, "flags": ["dust_explosion"]}, "pool"),
    ],
)
def test_bad_start_is_400_and_writes_nothing(client_for, duty_officer, enterprise_a, payload, field):
    response = post(client_for(duty_officer), f"{API}/rollcalls", payload)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_data" and field in response.json()["fields"]
    assert not RollCall.objects.exists()


def test_enterprise_user_cannot_start(client_for, enterprise_a_user):
    response = post(client_for(enterprise_a_user), f"{API}/rollcalls", {"minutes": 5})
    assert response.status_code == 403
    assert not RollCall.objects.exists()


def test_answer_over_the_api_is_idempotent(client_for, roll_call, enterprise_a_user):
    client = client_for(enterprise_a_user)
    first = client.post(f"{API}/rollcalls/{roll_call.pk}/answer")
    again = client.post(f"{API}/rollcalls/{roll_call.pk}/answer")
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "answered" and first.json()["method"] == "api"
    assert again.json()["answered_at"] == first.json()["answered_at"]


def test_answer_after_close_is_409(client_for, roll_call, duty_officer, enterprise_a_user):
    assert client_for(duty_officer).post(f"{API}/rollcalls/{roll_call.pk}/close").status_code == 200
    client = client_for(enterprise_a_user)
    response = client.post(f"{API}/rollcalls/{roll_call.pk}/answer")
    assert response.status_code == 409 and response.json()["code"] == "rollcall_closed"
    assert (
        RollCallTarget.objects.get(roll_call=roll_call, enterprise=enterprise_a_user.enterprise).status
        == "no_answer"
    )


def test_not_targeted_is_403(client_for, duty_officer, enterprise_a, enterprise_b, enterprise_b_user):
    call = services.start_roll_call(actor=duty_officer, minutes=5, flags=["hazchem_production"])
    response = client_for(enterprise_b_user).post(f"{API}/rollcalls/{call.pk}/answer")
    assert response.status_code == 403 and response.json()["code"] == "not_targeted"
    assert not RollCallTarget.objects.exclude(status="pending").exists()


def test_sms_callback(client, roll_call, settings):
    settings.CALL_SMS_REPLY_TOKEN = ""
    response = post(client, f"{API}/sms-reply", {"phone": "13812341234", "text": f"到 {roll_call.code}"})
    assert response.status_code == 200 and response.json()["status"] == "answered"
    response = post(client, f"{API}/sms-reply", {"phone": "13700000000", "text": roll_call.code})
    assert response.status_code == 403 and response.json()["code"] == "not_targeted"
    response = post(client, f"{API}/sms-reply", {"phone": "13812341234", "text": "hello"})
    assert response.status_code == 404 and response.json()["code"] == "unknown_code"


def test_sms_callback_needs_the_gateway_token_when_set(client, roll_call, settings):
    settings.CALL_SMS_REPLY_TOKEN = "s3cret"
    response = post(client, f"{API}/sms-reply", {"phone": "13812341234", "text": roll_call.code})
    assert response.status_code == 401
    assert not RollCallTarget.objects.exclude(status="pending").exists()


def test_sms_batch(client, roll_call, settings):
    settings.CALL_SMS_REPLY_TOKEN = ""
    replies = [{"phone": "13812341234", "text": roll_call.code}, {"phone": "1", "text": roll_call.code}]
    response = post(client, f"{API}/sms-replies", {"replies": replies})
    results = response.json()["results"]
    assert results[0]["status"] == "answered" and results[1]["code"] == "not_targeted"


def test_one_tap_answer_page(client_for, roll_call, enterprise_a_user):
    client = client_for(enterprise_a_user)
    page = client.get("/monitoring/supervision/rollcalls/answers/")
    assert page.status_code == 200 and b'data-action="answer"' in page.content
    target = RollCallTarget.objects.get(roll_call=roll_call, enterprise=enterprise_a_user.enterprise)
    response = client.post(f"/monitoring/supervision/rollcalls/answers/{target.pk}/answer/")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == "answered" and target.method == "app"


def test_enterprise_user_cannot_answer_for_another(client_for, roll_call, enterprise_b_user, enterprise_a):
    target = RollCallTarget.objects.get(roll_call=roll_call, enterprise=enterprise_a)
    response = client_for(enterprise_b_user).post(
        f"/monitoring/supervision/rollcalls/answers/{target.pk}/answer/"
    )
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.status == "pending"


@pytest.mark.parametrize(
    "url",
    [
        "/monitoring/supervision/rollcalls/",
        "/monitoring/supervision/rollcalls/add/",
        "/monitoring/supervision/rollcalls/{pk}/",
        "/monitoring/supervision/rollcalls/answers/",
        "/monitoring/supervision/video-checks/",
        "/monitoring/supervision/video-checks/add/",
        "/monitoring/supervision/dust/schedules/",
        "/monitoring/supervision/dust/schedules/add/",
        "/monitoring/supervision/dust/checkins/",
        "/monitoring/supervision/dust/results/",
        "/monitoring/supervision/league/",
    ],
)
def test_officer_pages_render(client_for, roll_call, staff_user, url):
    response = client_for(staff_user).get(url.format(pk=roll_call.pk))
    assert response.status_code == 200


def test_officer_starts_from_the_page(client_for, duty_officer, enterprise_a):
    response = client_for(duty_officer).post(
        "/monitoring/supervision/rollcalls/add/",
        {"minutes": "5", "late_minutes": "0", "flags": ["hazchem_production"]},
    )
    assert response.status_code == 302
    call = RollCall.objects.get()
    assert call.target_count == 1


def test_page_start_with_bad_minutes_shows_the_field(client_for, duty_officer, enterprise_a):
    response = client_for(duty_officer).post(
        "/monitoring/supervision/rollcalls/add/", {"minutes": "0", "late_minutes": "0"}
    )
    assert response.status_code == 400 and b'data-field="minutes"' in response.content
    assert not RollCall.objects.exists()


def test_leader_sees_but_cannot_start_or_close(client_for, roll_call, leader):
    client = client_for(leader)
    assert client.get(f"/monitoring/supervision/rollcalls/{roll_call.pk}/").status_code == 200
    assert client.post("/monitoring/supervision/rollcalls/add/", {"minutes": "5"}).status_code == 403
    assert client.post(f"/monitoring/supervision/rollcalls/{roll_call.pk}/close/").status_code == 403
    roll_call.refresh_from_db()
    assert roll_call.status == "open" and RollCall.objects.count() == 1
