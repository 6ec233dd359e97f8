"""`yingji simulate`: realistic telemetry for the configured devices (the demo's major hazard sources).

    yingji simulate                                  # MQTT if YINGJI_MQTT_URL is set, else in-process
    yingji simulate --mqtt mqtt://127.0.0.1:1883     # publish (QoS 1) to yingji/v1/devices/<code>/readings
    yingji simulate --http http://127.0.0.1:8000 --token-file data/demo-device-tokens.json
    yingji simulate --in-process                     # call the ingest directly (no broker, no web server)
    yingji simulate --in-process --backfill --duration 3600   # the last hour at once, without sleeping

Live runs tick every `--tick` seconds (default 10) until `--duration` seconds have passed (default:
forever). `--rate-scale N` divides every sampling period by N (N times more readings, for load).
"""

from __future__ import annotations

import datetime
import json
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yingji.monitoring import simulator

DEFAULT_SEED = 20260501  # the demo seed's history uses the same seed, so live data continues it


class Sender:
    """Where payloads go; `send(payloads, now)` returns how many readings were handed over."""

    def send(self, payloads: list[dict], now: datetime.datetime) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


class InProcessSender(Sender):
    def __init__(self):
        self.rejected = 0

    def send(self, payloads, now):
        from yingji.monitoring.ingest import ingest_message

        accepted = 0
        for payload in payloads:
            result = ingest_message(payload, channel="simulator", device_code=payload["device"], now=now)
            accepted += result.accepted + result.duplicate
            self.rejected += result.rejected
        return accepted


class MqttSender(Sender):
    def __init__(self, url: str, prefix: str):
        import paho.mqtt.client as mqtt

        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp", "") or not parts.hostname:
            raise CommandError(f"--mqtt: {url!r} is not an mqtt://host:port URL")
        self.prefix = prefix
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"yingji-simulator-{int(time.time())}",
            clean_session=True,
        )
        if parts.username:
            self.client.username_pw_set(parts.username, parts.password)
        try:
            self.client.connect(parts.hostname, parts.port or 1883, keepalive=60)
        except OSError as exc:
            raise CommandError(f"--mqtt: cannot reach the broker at {url}: {exc}") from None
        self.client.loop_start()

    def send(self, payloads, now):
        count = 0
        infos = []
        for payload in payloads:
            topic = f"{self.prefix}/devices/{payload['device']}/readings"
            infos.append(self.client.publish(topic, json.dumps(payload, separators=(",", ":")), qos=1))
            count += len(payload["readings"])
        for info in infos:
            info.wait_for_publish(timeout=10)
        return count

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


class HttpSender(Sender):
    def __init__(self, url: str, tokens: dict[str, str]):
        self.url = url.rstrip("/")
        if not self.url.endswith("/api/v1/monitoring/ingest"):
            self.url += "/api/v1/monitoring/ingest"
        self.tokens = tokens
        self.failures = 0

    def send(self, payloads, now):
        count = 0
        for payload in payloads:
            token = self.tokens.get(payload["device"])
            if token is None:
                continue  # no token for this device in the file: it cannot post
            request = urllib.request.Request(
                self.url,
                data=json.dumps(payload, separators=(",", ":")).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Device {token}"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                count += len(payload["readings"])
            except (urllib.error.URLError, OSError) as exc:
                self.failures += 1
                if self.failures <= 3 or self.failures % 100 == 0:
                    print(f"HTTP post for {payload['device']} failed: {exc}")
        return count


class Command(BaseCommand):
    help = "Publish realistic telemetry for the configured devices (MQTT, the HTTP endpoint, or in-process)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--mqtt", metavar="URL", help="publish to this broker (mqtt://host:port)")
        target.add_argument("--http", metavar="URL", help="POST to this server's ingest endpoint")
        target.add_argument("--in-process", action="store_true", help="call the ingest directly")
        parser.add_argument("--token-file", type=Path, help="JSON {device code: token} for --http")
        parser.add_argument("--rate-scale", type=float, default=1.0, help="divide sampling periods by this")
        parser.add_argument("--duration", type=float, help="seconds to simulate (default: run until stopped)")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (reproducible output)"
        )
        parser.add_argument("--tick", type=float, default=10.0, help="seconds between sends (default 10)")
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="simulate the last --duration seconds at once, no sleeping",
        )
        parser.add_argument(
            "--excursions-per-day", type=float, default=1.0, help="scale the rate of injected excursions"
        )
        parser.add_argument("--devices", help="comma-separated device codes (default: every active device)")

    def handle(self, *args, **options):
        if options["rate_scale"] <= 0 or options["tick"] <= 0:
            raise CommandError("--rate-scale and --tick must be positive.")
        if options["backfill"] and not options["duration"]:
            raise CommandError("--backfill needs --duration.")
        devices = self._devices(options["devices"])
        specs = simulator.specs_from_database(devices)
        if not specs:
            raise CommandError(
                "No active device with points to simulate (seed the demo first: `yingji seed demo`)."
            )
        sender = self._sender(options)
        now = timezone.now()
        start = now - datetime.timedelta(seconds=options["duration"]) if options["backfill"] else now
        sim = simulator.Simulator(
            specs,
            seed=options["seed"],
            start=start,
            rate_scale=options["rate_scale"],
            excursions_per_day=options["excursions_per_day"],
        )
        self.stdout.write(f"Simulating {len(specs)} devices ({sum(len(s.points) for s in specs)} points).")
        try:
            total = (
                self._backfill(sim, sender, now, options)
                if options["backfill"]
                else self._live(sim, sender, options)
            )
        finally:
            sender.close()
        self.stdout.write(self.style.SUCCESS(f"Sent {total} readings."))

    def _devices(self, codes: str | None):
        from yingji.monitoring.models import Device

        queryset = Device.objects.filter(is_active=True)
        if codes:
            wanted = [c.strip() for c in codes.split(",") if c.strip()]
            queryset = queryset.filter(code__in=wanted)
        return queryset

    def _sender(self, options) -> Sender:
        if options["http"]:
            if not options["token_file"]:
                raise CommandError("--http needs --token-file (JSON {device code: token}).")
            try:
                tokens = json.loads(options["token_file"].read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"--token-file: {exc}") from None
            return HttpSender(options["http"], tokens)
        if options["mqtt"]:
            return MqttSender(options["mqtt"], settings.MONITORING_MQTT_TOPIC_PREFIX)
        if options["in_process"] or not _mqtt_configured():
            return InProcessSender()
        return MqttSender(settings.MONITORING_MQTT_URL, settings.MONITORING_MQTT_TOPIC_PREFIX)

    def _backfill(self, sim, sender, now, options) -> int:
        tick = datetime.timedelta(seconds=options["tick"])
        total = 0
        cursor = sim.cursor
        while cursor < now:
            cursor = min(cursor + tick, now)
            total += sender.send(sim.advance(cursor), cursor)
        return total

    def _live(self, sim, sender, options) -> int:
        stop = {"now": False}

        def request_stop(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGTERM, request_stop)
        started = time.monotonic()
        total = 0
        try:
            while not stop["now"]:
                time.sleep(options["tick"])
                now = timezone.now()
                try:
                    total += sender.send(sim.advance(now), now)
                except Exception as exc:  # noqa: BLE001 - a live demo rides out a database hiccup
                    self.stderr.write(f"Sending failed ({exc}); the readings of this tick are dropped.")
                if options["duration"] and time.monotonic() - started >= options["duration"]:
                    break
        except KeyboardInterrupt:
            pass
        return total


def _mqtt_configured() -> bool:
    """True when YINGJI_MQTT_URL is set explicitly (the setting's default only names the usual broker)."""
    import os

    return bool(os.environ.get("YINGJI_MQTT_URL"))
