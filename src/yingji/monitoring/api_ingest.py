"""POST /api/v1/monitoring/ingest: a device sends a batch of readings with `Authorization: Device <token>`.

Devices are not users: this router has its own authentication (the device token, hashed in
Device.token_hash) and accepts no session or user bearer token. Same payload as MQTT
(docs/monitoring-ingest.md).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer

from yingji.core.api import ApiError
from yingji.monitoring import ingest
from yingji.monitoring.tokens import device_for_token


class DeviceTokenAuth(HttpBearer):
    """`Authorization: Device <token>` (per-device token from monitoring.tokens.new_token)."""

    openapi_scheme = "device"

    def authenticate(self, request, token):
        return device_for_token(token)


router = Router(tags=["monitoring"], auth=DeviceTokenAuth())


class IngestOut(Schema):
    accepted: int
    duplicate: int
    rejected: int
    reasons: dict[str, int]


@router.post("", response=IngestOut, summary="A device's batch of readings", url_name="monitoring_ingest")
def ingest_readings(request):
    device = request.auth
    limit = settings.MONITORING_MAX_PAYLOAD_BYTES
    declared = request.headers.get("Content-Length") or "0"
    if (declared.isdigit() and int(declared) > limit) or len(request.body) > limit:
        _refuse(device, ingest.TOO_LARGE, f"more than {limit} bytes")
        raise ApiError(
            413, ingest.TOO_LARGE, _("The payload is larger than {limit} bytes.").format(limit=limit)
        )
    now = timezone.now()
    try:
        message = ingest.decode(request.body)
        ingest.items_of(message)  # the shape: readings or values
    except ingest.PayloadError as error:
        _refuse(device, error.reason, error.detail)
        raise ApiError(
            400, error.reason, _("The body is not a JSON object of readings."), {"body": [error.detail]}
        ) from None
    named = message.get("device")
    if named not in (None, device.code):
        _refuse(device, ingest.WRONG_DEVICE, f"token of {device.code!r} used for {str(named)[:64]!r}")
        raise ApiError(
            403,
            ingest.WRONG_DEVICE,
            _("This token belongs to another device."),
            {"device": [str(named)[:64]]},
        )
    return ingest.ingest_message(message, channel="http", device=device, now=now).as_dict()


def _refuse(device, reason: str, detail: str) -> None:
    parsed = ingest.Parsed(device_code=device.code)
    parsed.refuse(reason, detail)
    ingest.record_rejections([parsed], channel="http", now=timezone.now())
    ingest.COUNTERS[f"rejected.{reason}"] += 1
