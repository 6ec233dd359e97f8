"""The MQTT consumer behind `yingji ingest`.

Subscribes with QoS 1 to `<prefix>/devices/+/readings` over MQTT 5 with a fixed client id and a
persistent session (clean start off, a session expiry), and acknowledges each message by hand only
after its batch is committed (paho `manual_ack`). So a consumer that stops, crashes or loses the
database loses nothing: the broker redelivers what was not acknowledged, and the (point, ts)
primary key drops what had been stored already.

Messages are gathered into batches (up to `batch_size` messages or `batch_seconds` after the
oldest arrived) and stored in one transaction. The in-memory buffer is bounded by the Receive
Maximum we announce: the broker never has more unacknowledged messages in flight to us, so while
the database is down (we retry with backoff and acknowledge nothing) the broker keeps the rest.
Reconnection to the broker uses paho's own backoff (1 s doubling to 30 s).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import paho.mqtt.client as paho
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from yingji.monitoring import ingest

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = 30.0


@dataclass(slots=True)
class Incoming:
    mid: int
    qos: int
    topic: str
    payload: bytes
    generation: int  # the connection it came on: acks are only valid on that connection
    received: float  # time.time()


def topic_filter(prefix: str) -> str:
    return f"{prefix.strip('/')}/devices/+/readings"


def device_code_of(topic: str, prefix: str) -> str | None:
    """`<prefix>/devices/<code>/readings` -> code."""
    head = f"{prefix.strip('/')}/devices/"
    if topic.startswith(head) and topic.endswith("/readings"):
        code = topic[len(head) : -len("/readings")]
        return code if code and "/" not in code else None
    return None


class Consumer:
    def __init__(
        self,
        *,
        url: str | None = None,
        topic_prefix: str | None = None,
        client_id: str | None = None,
        batch_size: int = 500,
        batch_seconds: float = 0.15,
        session_expiry: int | None = None,
        receive_maximum: int | None = None,
        on_batch=None,
    ):
        self.url = urlparse(url or settings.MONITORING_MQTT_URL)
        self.prefix = (topic_prefix or settings.MONITORING_MQTT_TOPIC_PREFIX).strip("/")
        self.client_id = client_id or settings.MONITORING_MQTT_CLIENT_ID
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.session_expiry = (
            session_expiry if session_expiry is not None else settings.MONITORING_MQTT_SESSION_EXPIRY
        )
        self.receive_maximum = receive_maximum or settings.MONITORING_MQTT_RECEIVE_MAXIMUM
        self.on_batch = on_batch  # on_batch(batch, result, committed_at) — benchmarks, tests
        self.stats: Counter[str] = Counter()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._pending: deque[Incoming] = deque()
        self._cond = threading.Condition()
        self._generation = 0
        self._last_message = time.monotonic()
        self.client = self._make_client()

    # -- the paho side (its network thread) ----------------------------------------------------------
    def _make_client(self) -> paho.Client:
        client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=paho.MQTTv5, manual_ack=True
        )
        if self.url.username:
            client.username_pw_set(unquote(self.url.username), unquote(self.url.password or ""))
        if self.url.scheme == "mqtts":
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT connect refused: %s", reason_code)
            return
        with self._cond:
            self._generation += 1
            # Unacknowledged messages of the old connection come again on this one.
            self._pending = deque(m for m in self._pending if m.generation == self._generation)
        self.stats["connects"] += 1
        logger.info(
            "MQTT connected to %s as %s (session present: %s)",
            self.url.hostname,
            self.client_id,
            flags.session_present,
        )
        client.subscribe(topic_filter(self.prefix), qos=1)
        self.connected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        self.subscribed.clear()
        self.stats["disconnects"] += 1
        if reason_code.is_failure:
            logger.warning("MQTT connection lost (%s); reconnecting with backoff", reason_code)
        else:
            logger.info("MQTT disconnected (%s)", reason_code)

    def _on_message(self, client, userdata, message) -> None:
        item = Incoming(
            message.mid, message.qos, message.topic, message.payload, self._generation, time.time()
        )
        with self._cond:
            self._pending.append(item)
            self._last_message = time.monotonic()
            if len(self._pending) >= self.batch_size:
                self._cond.notify()

    # -- the worker side -------------------------------------------------------------------------------
    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.session_expiry
        props.ReceiveMaximum = min(self.receive_maximum, 65535)
        self.client.connect_async(
            self.url.hostname or "127.0.0.1",
            self.url.port or 1883,
            keepalive=30,
            clean_start=False,
            properties=props,
        )
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def run(
        self,
        *,
        stop: threading.Event | None = None,
        max_seconds: float | None = None,
        idle_exit: float | None = None,
    ) -> Counter[str]:
        """Consume until `stop` is set, `max_seconds` passed, or (idle_exit) no message came for
        that many seconds once subscribed. Returns the counters."""
        stop = stop or threading.Event()
        deadline = time.monotonic() + max_seconds if max_seconds else None
        self.start()
        try:
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                batch = self._take_batch(timeout=0.05)
                if batch:
                    self._process(batch, stop)
                elif (
                    idle_exit
                    and self.subscribed.is_set()
                    and time.monotonic() - self._last_message >= idle_exit
                ):
                    break
            remaining = self._take_batch(timeout=0, force=True)
            if remaining and not stop.is_set():
                self._process(remaining, stop)
        finally:
            self.stop()
            connection.close()
        return self.stats

    def _take_batch(self, timeout: float, force: bool = False) -> list[Incoming]:
        with self._cond:
            if not self._pending:
                if timeout:
                    self._cond.wait(timeout)
                if not self._pending:
                    return []
            due = force or len(self._pending) >= self.batch_size
            if not due:
                waited = time.time() - self._pending[0].received
                if waited < self.batch_seconds:
                    self._cond.wait(self.batch_seconds - waited)
            count = min(len(self._pending), self.batch_size)
            return [self._pending.popleft() for _ in range(count)]

    def _process(self, batch: list[Incoming], stop: threading.Event) -> None:
        """Store the batch (retrying while the database is down), then acknowledge it."""
        delay = 0.5
        while True:
            try:
                close_old_connections()
                now = timezone.now()
                parsed = [self._parse(item, now) for item in batch]
                result = ingest.ingest_parsed(parsed, channel="mqtt", now=now, evaluate=False)
                break
            except DatabaseError as error:
                self.stats["db_retries"] += 1
                logger.warning(
                    "database unavailable (%s); retrying %d messages in %.1f s", error, len(batch), delay
                )
                connection.close()
                if stop.wait(delay):
                    return  # not acknowledged: the broker sends them again to the next consumer
                delay = min(delay * 2, MAX_RETRY_DELAY)
            except Exception:
                # A bug must not wedge the stream: log it and move on (counted).
                self.stats["batch_errors"] += 1
                logger.exception("ingest batch of %d messages failed", len(batch))
                self._ack(batch)
                return
        committed_at = time.time()
        self._ack(batch)
        self.stats["messages"] += len(batch)
        self.stats["accepted"] += result.accepted
        self.stats["duplicate"] += result.duplicate
        self.stats["rejected"] += result.rejected
        ingest.evaluate_new(result.new_readings, now=now)
        if self.on_batch is not None:
            self.on_batch(batch, result, committed_at)

    def _parse(self, item: Incoming, now) -> ingest.Parsed:
        code = device_code_of(item.topic, self.prefix)
        if code is None:
            parsed = ingest.Parsed(device_code="")
            parsed.refuse(ingest.BAD_PAYLOAD, f"unexpected topic {item.topic[:200]!r}")
            return parsed
        return ingest.parse_message(item.payload, device_code=code, now=now)

    def _ack(self, batch: list[Incoming]) -> None:
        generation = self._generation
        for item in batch:
            if item.qos and item.generation == generation:
                self.client.ack(item.mid, item.qos)
