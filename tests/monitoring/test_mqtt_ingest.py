"""The MQTT consumer against the real Mosquitto at 127.0.0.1:1883: publish -> stored, bad messages
do not stop it, and a consumer stopped mid-stream loses nothing (QoS 1, persistent session, acks
sent only after commit).

The consumer runs in a thread of the test process, so these tests use `transactional_db` (the
thread has its own database connection and must see committed rows). Each test uses its own topic
prefix and client id so parallel runs do not collide.
"""

from __future__ import annotations

import datetime
import json
import socket
import threading
import time
import uuid

import paho.mqtt.client as paho
import pytest
from django.db import OperationalError
from paho.mqtt.enums import CallbackAPIVersion
from tests.conftest import remove_audit_rows, require_services

from yingji.monitoring import ingest
from yingji.monitoring.models import IngestRejection, Reading
from yingji.monitoring.mqtt import Consumer, device_code_of

HOST, PORT = "127.0.0.1", 1883


def broker_reachable() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def broker():
    if not broker_reachable():
        if require_services():
            pytest.fail(f"Mosquitto is not reachable at {HOST}:{PORT} (YINGJI_REQUIRE_SERVICES=1)")
        pytest.skip(f"Mosquitto is not reachable at {HOST}:{PORT}; start it to run the MQTT tests")
    return f"mqtt://{HOST}:{PORT}"


@pytest.fixture
def names():
    tag = uuid.uuid4().hex[:10]
    return {"prefix": f"test-{tag}/v1", "client_id": f"yingji-test-{tag}"}


@pytest.fixture
def tdb(transactional_db):
    """The database for a consumer thread; the audit rows the fixtures wrote are removed before
    pytest-django's flush (the trail's triggers refuse to delete recent rows)."""
    yield
    remove_audit_rows()


@pytest.fixture(autouse=True)
def _fresh_directory():
    ingest.directory.clear()
    yield
    ingest.directory.clear()


class Publisher:
    def __init__(self, prefix: str):
        self.prefix = prefix
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
        self.client.connect(HOST, PORT)
        self.client.loop_start()

    def send(self, payload: bytes | dict, device: str = "DEV-A-1") -> None:
        body = json.dumps(payload).encode() if isinstance(payload, dict) else payload
        info = self.client.publish(f"{self.prefix}/devices/{device}/readings", body, qos=1)
        info.wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def publisher(broker, names):
    pub = Publisher(names["prefix"])
    yield pub
    pub.close()


class Running:
    """A consumer in a thread; `stop()` ends it cleanly (batch stored and acknowledged)."""

    def __init__(self, broker: str, names: dict):
        self.consumer = Consumer(
            url=broker,
            topic_prefix=names["prefix"],
            client_id=names["client_id"],
            batch_seconds=0.05,
            session_expiry=300,  # long enough for the restart; the broker forgets it afterwards
        )
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=self.consumer.run, kwargs={"stop": self.stop_event}, daemon=True
        )
        self.thread.start()
        assert self.consumer.subscribed.wait(10), "the consumer did not subscribe"

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(20)
        assert not self.thread.is_alive()


def wait_for(predicate, timeout: float = 20.0) -> bool:
    """Poll until true (no timed assertion: the timeout only bounds a broken run)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if _holds(predicate):
            return True
        time.sleep(0.05)
    return _holds(predicate)


def _holds(predicate) -> bool:
    try:
        return bool(predicate())
    except (
        OperationalError
    ):  # SQLite's shared in-memory test database: "table is locked" while the consumer writes
        return False


def readings(values, start: datetime.datetime, point: str = "GT-101", device: str = "DEV-A-1") -> dict:
    return {
        "device": device,
        "readings": [
            {"point": point, "ts": (start + datetime.timedelta(seconds=i)).isoformat(), "value": v}
            for i, v in enumerate(values)
        ],
    }


def recent() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=10)


def test_topic_names_the_device():
    assert device_code_of("yingji/v1/devices/DEV-1/readings", "yingji/v1") == "DEV-1"
    assert device_code_of("yingji/v1/devices/a/b/readings", "yingji/v1") is None
    assert device_code_of("other/devices/DEV-1/readings", "yingji/v1") is None


def test_a_published_reading_is_stored(tdb, broker, names, publisher, gas_point):
    running = Running(broker, names)
    try:
        publisher.send(readings([12.5], recent()))
        assert wait_for(lambda: Reading.objects.filter(point=gas_point).exists())
        assert Reading.objects.get(point=gas_point).value == 12.5
    finally:
        running.stop()


def test_malformed_messages_do_not_stop_the_consumer(tdb, broker, names, publisher, gas_point):
    running = Running(broker, names)
    try:
        start = recent()
        publisher.send(b"{this is not json")
        publisher.send(b"\x00\x01\x02")
        publisher.send(
            {"device": "DEV-A-1", "readings": [{"point": "GT-101", "ts": start.isoformat(), "value": "NaN"}]}
        )
        publisher.send(b'{"device": "DEV-A-1", "readings": [{"point": "GT-101", "ts": 1, "value": NaN}]}')
        publisher.send(readings([1.0], start, device="NO-SUCH-DEVICE"), device="NO-SUCH-DEVICE")
        publisher.send(readings([1.0], start, device="DEV-B-1"))  # names another device than its topic
        publisher.send(readings([7.0, 8.0], start))
        assert wait_for(lambda: Reading.objects.filter(point=gas_point).count() == 2)
        assert wait_for(lambda: IngestRejection.objects.filter(reason="bad_json").exists())
        assert wait_for(lambda: IngestRejection.objects.filter(reason="wrong_device").exists())
        reasons = set(IngestRejection.objects.values_list("reason", flat=True))
        assert {"bad_json", "not_number", "not_finite", "unknown_device", "wrong_device"} <= reasons
        assert running.thread.is_alive()
    finally:
        running.stop()


def test_a_restarted_consumer_loses_nothing(tdb, broker, names, publisher, gas_point):
    start = recent()
    first = Running(broker, names)
    publisher.send(readings([float(i) for i in range(10)], start))
    assert wait_for(lambda: Reading.objects.count() == 10)
    first.stop()  # mid-stream: the session stays on the broker

    later = start + datetime.timedelta(seconds=100)
    for batch in range(20):  # 200 readings while nobody consumes
        publisher.send(readings([float(batch)] * 10, later + datetime.timedelta(seconds=batch * 10)))

    second = Running(broker, names)
    try:
        assert wait_for(lambda: Reading.objects.count() == 210)
        assert Reading.objects.count() == 210
    finally:
        second.stop()


def test_unacknowledged_messages_come_again_after_a_crash(
    tdb, broker, names, publisher, gas_point, monkeypatch
):
    """A consumer whose batch never commits (the database is gone) acknowledges nothing: the next
    consumer with the same client id gets the messages again."""
    from django.db import OperationalError

    from yingji.monitoring import mqtt

    def database_down(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(mqtt.ingest, "ingest_parsed", database_down)
    first = Running(broker, names)
    publisher.send(readings([1.0, 2.0, 3.0], recent()))
    assert wait_for(lambda: first.consumer.stats["db_retries"] >= 2)  # riding out the outage
    first.stop()
    assert Reading.objects.count() == 0
    monkeypatch.undo()
    assert Reading.objects.count() == 0

    second = Running(broker, names)
    try:
        assert wait_for(lambda: Reading.objects.count() == 3)
    finally:
        second.stop()
