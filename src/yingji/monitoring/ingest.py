"""Telemetry ingest: parse and validate a device's message, store the good readings, count the bad.

One entry point for every channel (MQTT consumer, HTTP endpoint, the simulator's in-process path):
`ingest_message(payload, channel=..., device_code=... | device=...)`. The payload format and the
reason codes are documented in docs/monitoring-ingest.md. A bad reading never costs the good ones
of the same message; every refusal is counted under a stable reason code, logged, and added to an
aggregated `IngestRejection` row (one row per channel, device and reason per minute).
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from yingji.monitoring.models import Device, IngestRejection, Point
from yingji.monitoring.telemetry import RawReading

logger = logging.getLogger(__name__)

# Stable reason codes (API answers, IngestRejection.reason, logs, docs/monitoring-ingest.md).
TOO_LARGE = "too_large"
BAD_JSON = "bad_json"
BAD_PAYLOAD = "bad_payload"  # valid JSON of the wrong shape
UNKNOWN_DEVICE = "unknown_device"
WRONG_DEVICE = "wrong_device"  # the message names another device than its topic or token
BAD_READING = "bad_reading"  # a reading without point/ts/value
UNKNOWN_POINT = "unknown_point"
NOT_NUMBER = "not_number"
NOT_FINITE = "not_finite"
BAD_TS = "bad_ts"
FUTURE_TS = "future_ts"
TOO_OLD = "too_old"
REASONS = (
    TOO_LARGE, BAD_JSON, BAD_PAYLOAD, UNKNOWN_DEVICE, WRONG_DEVICE, BAD_READING,
    UNKNOWN_POINT, NOT_NUMBER, NOT_FINITE, BAD_TS, FUTURE_TS, TOO_OLD,
)  # fmt: skip

# Process-wide counters (the consumer logs them; tests and benchmarks read them).
COUNTERS: Counter[str] = Counter()
UNKNOWN_REFRESH_SECONDS = 1.0  # at most one point-table lookup per device and second on unknown codes


class PayloadError(Exception):
    """The whole message is refused (reason code + detail)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


@dataclass
class IngestResult:
    accepted: int = 0  # stored now
    duplicate: int = 0  # valid but already stored
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    new_readings: list[RawReading] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "reasons": dict(self.reasons),
        }


@dataclass
class Parsed:
    """A message after validation: its good readings and the refusals (reason -> count, one detail)."""

    device_code: str
    readings: list[RawReading] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    details: dict[str, str] = field(default_factory=dict)

    def refuse(self, reason: str, detail: str, count: int = 1) -> None:
        self.reasons[reason] += count
        self.details.setdefault(reason, detail[:500])


# -- the (device code, point code) -> Point.id cache -----------------------------------------------


class PointDirectory:
    """Device code -> (device id, {point code: point id}), loaded per device on first use and
    reloaded when a message names a point code it does not know (throttled per device)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._devices: dict[str, tuple[int, dict[str, int]] | None] = {}
        self._loaded_at: dict[str, float] = {}

    def clear(self, *args, **kwargs) -> None:  # also a signal receiver
        with self._lock:
            self._devices.clear()
            self._loaded_at.clear()

    def device(self, code: str) -> tuple[int, dict[str, int]] | None:
        if code not in self._devices:
            self._load(code)
        return self._devices.get(code)

    def refresh_if_stale(self, code: str) -> tuple[int, dict[str, int]] | None:
        if time.monotonic() - self._loaded_at.get(code, 0.0) >= UNKNOWN_REFRESH_SECONDS:
            self._load(code)
        return self._devices.get(code)

    def _load(self, code: str) -> None:
        device = Device.objects.filter(code=code, is_active=True).values_list("pk", flat=True).first()
        entry = None
        if device is not None:
            points = Point.objects.filter(device_id=device, is_active=True).values_list("code", "pk")
            entry = (device, dict(points))
        with self._lock:
            self._devices[code] = entry
            self._loaded_at[code] = time.monotonic()


directory = PointDirectory()
for _model in (Device, Point):  # configuration changes in this process take effect at once
    post_save.connect(directory.clear, sender=_model, dispatch_uid=f"ingest-directory-{_model.__name__}-save")
    post_delete.connect(
        directory.clear, sender=_model, dispatch_uid=f"ingest-directory-{_model.__name__}-del"
    )


# -- parsing -----------------------------------------------------------------------------------


def decode(payload: bytes | str | dict) -> dict:
    """The message as a dict, or PayloadError(too_large | bad_json | bad_payload)."""
    if isinstance(payload, dict):
        return payload
    if len(payload) > settings.MONITORING_MAX_PAYLOAD_BYTES:
        raise PayloadError(TOO_LARGE, f"{len(payload)} bytes > {settings.MONITORING_MAX_PAYLOAD_BYTES}")
    try:
        message = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(BAD_JSON, str(exc)[:200]) from None
    if not isinstance(message, dict):
        raise PayloadError(BAD_PAYLOAD, "the message must be a JSON object")
    return message


def parse_ts(raw, default_tz: datetime.tzinfo) -> datetime.datetime | None:
    """ISO 8601 text (naive means the server's time zone) or epoch milliseconds; None if neither."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            return None
        try:
            return datetime.datetime.fromtimestamp(raw / 1000, datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(raw, str):
        try:
            ts = datetime.datetime.fromisoformat(raw)
        except ValueError:
            return None
        return ts if ts.tzinfo is not None else ts.replace(tzinfo=default_tz)
    return None


def items_of(message: dict) -> list:
    """The message's readings as (point code, ts, value) triples, from either form."""
    if "readings" in message:
        readings = message["readings"]
        if not isinstance(readings, list):
            raise PayloadError(BAD_PAYLOAD, "readings must be a list")
        return [
            (r.get("point"), r.get("ts"), r.get("value")) if isinstance(r, dict) else (None, None, None)
            for r in readings
        ]
    if "values" in message:  # compact form: one timestamp, {point code: value}
        values = message["values"]
        if not isinstance(values, dict):
            raise PayloadError(BAD_PAYLOAD, "values must be an object of point code: value")
        ts = message.get("ts")
        return [(code, ts, value) for code, value in values.items()]
    raise PayloadError(BAD_PAYLOAD, "the message has neither readings nor values")


def parse_message(
    payload: bytes | str | dict,
    *,
    device_code: str | None = None,
    device: Device | None = None,
    now: datetime.datetime | None = None,
) -> Parsed:
    """Validate a message of the device named by its topic (device_code) or token (device)."""
    now = now or timezone.now()
    code = device.code if device is not None else (device_code or "")
    parsed = Parsed(device_code=code)
    try:
        message = decode(payload)
        named = message.get("device")
        if not code:
            code = parsed.device_code = str(named or "")[:64]
        elif named not in (None, code):
            raise PayloadError(
                WRONG_DEVICE, f"the message names device {str(named)[:64]!r}, sent as {code!r}"
            )
        items = items_of(message)
    except PayloadError as error:
        parsed.refuse(error.reason, error.detail)
        return parsed
    entry = (directory.device(code) or directory.refresh_if_stale(code)) if code else None
    if entry is None:
        parsed.refuse(UNKNOWN_DEVICE, f"no active device {code!r}", count=max(1, len(items)))
        return parsed
    _validate_items(parsed, items, entry, code, now)
    return parsed


def _validate_items(parsed: Parsed, items: list, entry, code: str, now: datetime.datetime) -> None:
    points = entry[1]
    default_tz = timezone.get_default_timezone()
    latest = now + datetime.timedelta(seconds=settings.MONITORING_FUTURE_SKEW_SECONDS)
    oldest = now - datetime.timedelta(days=settings.MONITORING_RETENTION_DAYS)
    refreshed = False
    append = parsed.readings.append
    for point_code, raw_ts, value in items:
        if point_code is None or raw_ts is None or value is None:
            parsed.refuse(BAD_READING, "a reading needs point, ts and value")
            continue
        point_id = points.get(point_code) if isinstance(point_code, str) else None
        if point_id is None and isinstance(point_code, str) and not refreshed:
            refreshed = True  # a point configured while we run: look once, then trust the answer
            points = (directory.refresh_if_stale(code) or entry)[1]
            point_id = points.get(point_code)
        if point_id is None:
            parsed.refuse(UNKNOWN_POINT, f"device {code!r} has no active point {str(point_code)[:64]!r}")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            parsed.refuse(NOT_NUMBER, f"{point_code}: value {str(value)[:40]!r} is not a number")
            continue
        if not math.isfinite(value):
            parsed.refuse(NOT_FINITE, f"{point_code}: value {value!r} is not finite")
            continue
        ts = parse_ts(raw_ts, default_tz)
        if ts is None:
            parsed.refuse(BAD_TS, f"{point_code}: ts {str(raw_ts)[:40]!r} is neither ISO 8601 nor epoch ms")
            continue
        if ts > latest:
            parsed.refuse(FUTURE_TS, f"{point_code}: ts {ts.isoformat()} is in the future")
            continue
        if ts < oldest:
            parsed.refuse(TOO_OLD, f"{point_code}: ts {ts.isoformat()} is older than the retention")
            continue
        append(RawReading(point_id, ts, float(value)))


# -- storing, counting, evaluating -----------------------------------------------------------------


def ingest_message(
    payload: bytes | str | dict,
    *,
    channel: str,
    device_code: str | None = None,
    device: Device | None = None,
    now: datetime.datetime | None = None,
) -> IngestResult:
    """Validate, store and evaluate one message; never raises for bad input (see the result)."""
    now = now or timezone.now()
    parsed = parse_message(payload, device_code=device_code, device=device, now=now)
    return ingest_parsed([parsed], channel=channel, now=now)


def ingest_parsed(
    batch: list[Parsed], *, channel: str, now: datetime.datetime, evaluate: bool = True
) -> IngestResult:
    """Store the good readings of several parsed messages in one transaction, record the refusals,
    then evaluate the new readings. Database errors of the store propagate (the caller retries)."""
    from yingji.monitoring import store

    readings = [reading for parsed in batch for reading in parsed.readings]
    with transaction.atomic():  # readings and refusals together: a retry after a failure repeats both
        new = store.store_readings(readings, now=now) if readings else []
        record_rejections(batch, channel=channel, now=now)
    result = IngestResult(accepted=len(new), duplicate=len(readings) - len(new), new_readings=new)
    for parsed in batch:
        result.reasons.update(parsed.reasons)
    result.rejected = sum(result.reasons.values())
    COUNTERS["accepted"] += result.accepted
    COUNTERS["duplicate"] += result.duplicate
    COUNTERS.update({f"rejected.{reason}": n for reason, n in result.reasons.items()})
    if evaluate:
        evaluate_new(new, now=now)
    return result


def record_rejections(batch: list[Parsed], *, channel: str, now: datetime.datetime) -> None:
    """Log each refused message once and add its counts to this minute's IngestRejection rows."""
    totals: Counter[tuple[str, str]] = Counter()
    details: dict[tuple[str, str], str] = {}
    for parsed in batch:
        for reason, count in parsed.reasons.items():
            key = (parsed.device_code[:64], reason)
            totals[key] += count
            details.setdefault(key, parsed.details.get(reason, ""))
        if parsed.reasons:
            logger.warning(
                "ingest %s %s: refused %s (%s)",
                channel,
                parsed.device_code or "?",
                dict(parsed.reasons),
                "; ".join(parsed.details.values())[:300],
            )
    if not totals:
        return
    minute = now.replace(second=0, microsecond=0)
    with transaction.atomic():
        for (device_code, reason), count in totals.items():
            updated = IngestRejection.objects.filter(
                channel=channel, device_code=device_code, reason=reason, at__gte=minute
            ).update(count=F("count") + count)
            if not updated:
                IngestRejection.objects.create(
                    at=now,
                    channel=channel,
                    device_code=device_code,
                    reason=reason,
                    detail=details[(device_code, reason)],
                    count=count,
                )


def evaluate_new(readings: list[RawReading], *, now: datetime.datetime) -> None:
    """Hand committed new readings to the alarm evaluation; its failure never loses readings."""
    if not readings:
        return
    try:
        from yingji.monitoring.evaluation import evaluate
    except ImportError:
        return
    try:
        with transaction.atomic():  # a failure rolls back only the evaluation's own writes
            evaluate(readings, now=now)
    except Exception:
        COUNTERS["evaluation_errors"] += 1
        logger.exception("alarm evaluation failed for %d new readings (they are stored)", len(readings))
