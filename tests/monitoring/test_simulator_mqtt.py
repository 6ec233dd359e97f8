"""`yingji simulate --mqtt`: the simulator's payloads reach the real Mosquitto at 127.0.0.1:1883 on
`<prefix>/devices/<device code>/readings`, as the ingest consumer expects them."""

from __future__ import annotations

import datetime
import json
import socket
import threading
import uuid

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from tests.conftest import require_services

from yingji.monitoring.management.commands.simulate import MqttSender
from yingji.monitoring.simulator import DeviceSpec, PointSpec, Simulator

HOST, PORT = "127.0.0.1", 1883


@pytest.fixture
def broker():
    try:
        socket.create_connection((HOST, PORT), timeout=1).close()
    except OSError:
        if require_services():
            pytest.fail(f"Mosquitto is not reachable at {HOST}:{PORT} (YINGJI_REQUIRE_SERVICES=1)")
        pytest.skip(f"Mosquitto is not reachable at {HOST}:{PORT}; start it to run the MQTT tests")
    return f"mqtt://{HOST}:{PORT}"


def test_simulated_payloads_are_published_per_device(broker):
    prefix = f"test-{uuid.uuid4().hex[:10]}/v1"
    devices = [
        DeviceSpec("DEV-1", (PointSpec("GT-1", "combustible_gas", 0, 100, high1=25, high2=50),), 10, "s1"),
        DeviceSpec("DEV-2", (PointSpec("LT-1", "level", 0, 12, high1=9, high2=10),), 10, "s2"),
    ]
    start = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    payloads = Simulator(devices, seed=1, start=start).advance(start + datetime.timedelta(minutes=1))
    received: dict[str, dict] = {}
    done = threading.Event()
    subscribed = threading.Event()

    def on_message(client, userdata, message):
        received[message.topic] = json.loads(message.payload)
        if len(received) == len(payloads):
            done.set()

    subscriber = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"sub-{uuid.uuid4().hex[:8]}")
    subscriber.on_message = on_message
    subscriber.on_subscribe = lambda *args: subscribed.set()
    subscriber.connect(HOST, PORT)
    subscriber.subscribe(f"{prefix}/devices/+/readings", qos=1)
    subscriber.loop_start()
    try:
        assert subscribed.wait(10)
        sender = MqttSender(broker, prefix)
        assert sender.send(payloads, start) == 12  # six readings a minute per point
        sender.close()
        assert done.wait(10)
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()
    assert received == {f"{prefix}/devices/{p['device']}/readings": p for p in payloads}
