"""POST /api/v1/monitoring/ingest with `Authorization: Device <token>`."""

from __future__ import annotations

import datetime
import json

import pytest

from yingji.monitoring import ingest
from yingji.monitoring.models import Device, IngestRejection, Point, Reading
from yingji.monitoring.tokens import device_for_token, hash_token, new_token

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring/ingest"


@pytest.fixture(autouse=True)
def _fresh_directory():
    ingest.directory.clear()
    yield
    ingest.directory.clear()


@pytest.fixture
def token(device_a):
    token, digest = new_token()
    Device.objects.filter(pk=device_a.pk).update(token_hash=digest)
    return token


@pytest.fixture
def other_device(device_a):
    other = Device.objects.create(
        enterprise=device_a.enterprise, division=device_a.division, code="DEV-A-2", name="另一台"
    )
    Point.objects.create(
        device=other,
        enterprise=other.enterprise,
        division=other.division,
        code="PT-9",
        name="p",
        kind="pressure",
    )
    return other


def body(*readings, device="DEV-A-1") -> str:
    return json.dumps(
        {"device": device, "readings": [{"point": p, "ts": ts, "value": v} for p, ts, v in readings]}
    )


def recent(seconds: int = 0) -> str:
    return (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5, seconds=seconds)).isoformat()


def post(client, data, token=None, scheme="Device"):
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {token}"} if token is not None else {}
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_tokens_are_stored_hashed():
    token, digest = new_token()
    assert digest == hash_token(token) and token not in digest and len(token) >= 40
    assert device_for_token("") is None


def test_a_device_posts_readings(client, token, gas_point, level_point):
    ts = recent(1)
    response = post(client, body(("GT-101", ts, 3.5), ("LT-201", ts, 6.0), ("GT-101", recent(2), "x")), token)
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "duplicate": 0, "rejected": 1, "reasons": {"not_number": 1}}
    assert Reading.objects.count() == 2
    again = post(client, body(("GT-101", ts, 3.5)), token)
    assert again.json()["duplicate"] == 1 and Reading.objects.count() == 2


def test_without_or_with_a_wrong_token_401(client, token, gas_point):
    assert post(client, body(("GT-101", recent(), 1.0))).status_code == 401
    assert post(client, body(("GT-101", recent(), 1.0)), "not-a-token").status_code == 401
    response = post(client, body(("GT-101", recent(), 1.0)), token, scheme="Bearer")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert Reading.objects.count() == 0


def test_a_user_session_is_not_a_device(client_for, admin_user, gas_point):
    client = client_for(admin_user)
    assert post(client, body(("GT-101", recent(), 1.0))).status_code == 401


def test_an_inactive_device_token_401(client, token, device_a, gas_point):
    Device.objects.filter(pk=device_a.pk).update(is_active=False)
    assert post(client, body(("GT-101", recent(), 1.0)), token).status_code == 401


def test_a_token_used_for_another_devices_points(client, token, gas_point, other_device):
    response = post(client, body(("PT-9", recent(), 1.0), device="DEV-A-2"), token)
    assert response.status_code == 403 and response.json()["code"] == "wrong_device"
    response = post(client, body(("PT-9", recent(), 1.0)), token)  # claims its own device, another's point
    assert response.status_code == 200 and response.json()["reasons"] == {"unknown_point": 1}
    assert Reading.objects.count() == 0
    assert set(IngestRejection.objects.values_list("reason", flat=True)) == {"wrong_device", "unknown_point"}


def test_oversized_413(client, token, gas_point, settings):
    settings.MONITORING_MAX_PAYLOAD_BYTES = 300
    response = post(client, body(*[("GT-101", recent(i), 1.0) for i in range(20)]), token)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert IngestRejection.objects.get().reason == "too_large" and Reading.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [("{nope", "bad_json"), ("[1]", "bad_payload"), ('{"device": "DEV-A-1"}', "bad_payload")],
)
def test_malformed_400(client, token, gas_point, data, code):
    response = post(client, data, token)
    assert response.status_code == 400
    assert response.json()["code"] == code and set(response.json()) == {"code", "message", "fields"}
    assert "body" in response.json()["fields"] or code == "bad_payload"
