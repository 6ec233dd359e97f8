"""Telemetry ingest: parsing, validation with reason codes, dedup, rollups, last values, rejections."""

from __future__ import annotations

import datetime
import json

import pytest

from yingji.monitoring import ingest, store
from yingji.monitoring.models import Device, IngestRejection, Point, Reading, ReadingHour, ReadingMinute
from yingji.monitoring.telemetry import RawReading

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 25, 2, 0, 30, tzinfo=datetime.UTC)  # 10:00:30 in Beijing


@pytest.fixture(autouse=True)
def _fresh_directory():
    ingest.directory.clear()
    yield
    ingest.directory.clear()


def message(*readings, device="DEV-A-1") -> bytes:
    return json.dumps(
        {"device": device, "readings": [{"point": p, "ts": ts, "value": v} for p, ts, v in readings]}
    ).encode()


def at(seconds: float) -> str:
    return (NOW + datetime.timedelta(seconds=seconds)).isoformat()


def test_a_valid_batch_is_stored_with_rollups_and_last_values(gas_point, level_point, device_a):
    payload = message(
        ("GT-101", at(-30), 10.0),
        ("GT-101", "2026-11-25T10:00:10+08:00", 14.0),
        ("GT-101", int((NOW - datetime.timedelta(seconds=10)).timestamp() * 1000), 12.0),
        ("LT-201", at(-5), 5.5),
    )
    result = ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    assert (result.accepted, result.duplicate, result.rejected) == (4, 0, 0)
    assert Reading.objects.filter(point=gas_point).count() == 3
    minute = ReadingMinute.objects.get(point=gas_point)
    assert (minute.vmin, minute.vmax, minute.count, minute.avg) == (10.0, 14.0, 3, 12.0)
    assert minute.bucket == NOW.replace(second=0)
    hour = ReadingHour.objects.get(point=gas_point)
    assert (hour.vmin, hour.vmax, hour.count) == (10.0, 14.0, 3)
    assert hour.bucket == NOW.replace(minute=0, second=0)
    gas_point.refresh_from_db()
    assert (gas_point.last_value, gas_point.last_ts) == (12.0, NOW - datetime.timedelta(seconds=10))
    device_a.refresh_from_db()
    assert device_a.is_online and device_a.last_seen_at == NOW and device_a.offline_since is None


def test_the_same_message_twice_is_stored_once(gas_point):
    payload = message(("GT-101", at(-20), 10.0), ("GT-101", at(-10), 11.0))
    first = ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    again = ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    assert (first.accepted, again.accepted, again.duplicate) == (2, 0, 2)
    assert Reading.objects.count() == 2
    assert ReadingMinute.objects.get(point=gas_point).count == 2  # rollups count new readings only


def test_rollups_merge_across_batches_and_last_value_never_goes_back(gas_point):
    ingest.ingest_message(message(("GT-101", at(-5), 20.0)), channel="mqtt", device_code="DEV-A-1", now=NOW)
    ingest.ingest_message(message(("GT-101", at(-25), 2.0)), channel="mqtt", device_code="DEV-A-1", now=NOW)
    minute = ReadingMinute.objects.get(point=gas_point)
    assert (minute.vmin, minute.vmax, minute.vsum, minute.count) == (2.0, 20.0, 22.0, 2)
    gas_point.refresh_from_db()
    assert gas_point.last_value == 20.0  # the older reading arrived later but is not the latest


def test_compact_form(gas_point, level_point):
    payload = json.dumps({"device": "DEV-A-1", "ts": at(-1), "values": {"GT-101": 3, "LT-201": 4.5}})
    result = ingest.ingest_message(payload.encode(), channel="mqtt", device_code="DEV-A-1", now=NOW)
    assert result.accepted == 2


BAD_READINGS = [
    (("GT-101", at(-1), float("nan")), "not_finite"),
    (("GT-101", at(-1), float("inf")), "not_finite"),
    (("GT-101", at(-1), "12.5"), "not_number"),
    (("GT-101", at(-1), True), "not_number"),
    (("XX-999", at(-1), 1.0), "unknown_point"),
    (("GT-101", at(3600), 1.0), "future_ts"),
    (("GT-101", at(-31 * 86400), 1.0), "too_old"),
    (("GT-101", "yesterday", 1.0), "bad_ts"),
    (("GT-101", None, 1.0), "bad_reading"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_READINGS, ids=[r for _, r in BAD_READINGS])
def test_a_bad_reading_is_refused_with_its_reason_and_the_good_ones_are_kept(gas_point, bad, reason):
    payload = message(("GT-101", at(-2), 1.0), bad, ("GT-101", at(-1), 2.0))
    result = ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    assert (result.accepted, result.rejected, dict(result.reasons)) == (2, 1, {reason: 1})
    assert Reading.objects.count() == 2
    rejection = IngestRejection.objects.get()
    assert (rejection.reason, rejection.count, rejection.channel, rejection.device_code) == (
        reason,
        1,
        "mqtt",
        "DEV-A-1",
    )


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "bad_json"),
        (b"\xff\xfe", "bad_json"),
        (b"[1, 2]", "bad_payload"),
        (b'{"device": "DEV-A-1", "readings": {"GT-101": 1}}', "bad_payload"),
        (b'{"device": "DEV-A-1"}', "bad_payload"),
        (b'{"device": "DEV-B-9", "readings": []}', "wrong_device"),
    ],
)
def test_a_bad_message_is_refused_whole(gas_point, payload, reason):
    result = ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    assert (result.accepted, dict(result.reasons)) == (0, {reason: 1})
    assert IngestRejection.objects.get().reason == reason


def test_an_oversized_payload_is_refused(gas_point, settings):
    settings.MONITORING_MAX_PAYLOAD_BYTES = 200
    payload = message(*[("GT-101", at(-i), 1.0) for i in range(1, 20)])
    result = ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    assert dict(result.reasons) == {"too_large": 1} and Reading.objects.count() == 0


def test_an_unknown_or_inactive_device_is_refused(gas_point, device_a):
    result = ingest.ingest_message(
        message(("GT-101", at(-1), 1.0), device="NOPE"), channel="mqtt", device_code="NOPE", now=NOW
    )
    assert dict(result.reasons) == {"unknown_device": 1}
    Device.objects.filter(pk=device_a.pk).update(is_active=False)
    ingest.directory.clear()
    result = ingest.ingest_message(
        message(("GT-101", at(-1), 1.0)), channel="mqtt", device_code="DEV-A-1", now=NOW
    )
    assert dict(result.reasons) == {"unknown_device": 1}


def test_another_devices_point_is_unknown_for_this_device(gas_point, device_a):
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
    payload = message(("PT-9", at(-1), 1.0))  # DEV-A-1's topic used for DEV-A-2's point
    result = ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    assert dict(result.reasons) == {"unknown_point": 1} and Reading.objects.count() == 0


def test_a_point_configured_while_running_is_picked_up(gas_point, device_a):
    ingest.ingest_message(message(("GT-101", at(-3), 1.0)), channel="mqtt", device_code="DEV-A-1", now=NOW)
    # Created behind the cache's back (as another process would): no signal reaches this process.
    Point.objects.bulk_create(
        [
            Point(
                device=device_a,
                enterprise=device_a.enterprise,
                division=device_a.division,
                code="NEW-1",
                name="n",
                kind="flow",
            )
        ]
    )
    ingest.directory._loaded_at.clear()  # the throttle's second has passed
    result = ingest.ingest_message(
        message(("NEW-1", at(-2), 7.0)), channel="mqtt", device_code="DEV-A-1", now=NOW
    )
    assert result.accepted == 1


def test_a_flood_of_bad_readings_makes_one_rejection_row_per_reason_and_minute(gas_point):
    for _ in range(50):
        ingest.ingest_message(
            message(*[("GT-101", at(-1), "x")] * 20), channel="mqtt", device_code="DEV-A-1", now=NOW
        )
    rejection = IngestRejection.objects.get()
    assert (rejection.reason, rejection.count) == ("not_number", 1000)
    later = NOW + datetime.timedelta(minutes=1)
    ingest.ingest_message(b"{", channel="mqtt", device_code="DEV-A-1", now=later)
    assert IngestRejection.objects.count() == 2


def test_a_failing_evaluation_is_counted_and_readings_stay(gas_point, monkeypatch):
    from yingji.monitoring import evaluation

    def explode(readings, *, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluation, "evaluate", explode)
    before = ingest.COUNTERS["evaluation_errors"]
    result = ingest.ingest_message(
        message(("GT-101", at(-1), 1.0)), channel="mqtt", device_code="DEV-A-1", now=NOW
    )
    assert result.accepted == 1 and Reading.objects.count() == 1
    assert ingest.COUNTERS["evaluation_errors"] == before + 1


def test_evaluation_gets_only_the_new_readings(gas_point, monkeypatch):
    from yingji.monitoring import evaluation

    seen: list = []
    monkeypatch.setattr(evaluation, "evaluate", lambda readings, *, now: seen.append((list(readings), now)))
    payload = message(("GT-101", at(-2), 1.0))
    ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    ingest.ingest_message(payload, channel="mqtt", device_code="DEV-A-1", now=NOW)
    assert seen == [([RawReading(gas_point.pk, NOW - datetime.timedelta(seconds=2), 1.0)], NOW)]


def test_store_readings_returns_the_new_ones_and_dedups_within_a_batch(gas_point):
    ts = NOW - datetime.timedelta(seconds=1)
    batch = [RawReading(gas_point.pk, ts, 1.0), RawReading(gas_point.pk, ts, 2.0)]
    assert store.store_readings(batch, now=NOW) == [RawReading(gas_point.pk, ts, 1.0)]
    assert store.store_readings(batch, now=NOW) == []
    assert Reading.objects.get().value == 1.0


def test_microsecond_timestamps_round_trip(gas_point):
    ts = NOW - datetime.timedelta(seconds=1, microseconds=123456)
    new = store.store_readings([RawReading(gas_point.pk, ts, 1.5)], now=NOW)
    assert len(new) == 1
    assert Reading.objects.get().ts == ts
    assert store.store_readings([RawReading(gas_point.pk, ts, 1.5)], now=NOW) == []
