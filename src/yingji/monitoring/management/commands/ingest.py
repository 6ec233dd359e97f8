"""`yingji ingest`: consume device readings from MQTT (docs/monitoring-ingest.md)."""

from __future__ import annotations

import logging
import signal
import threading

from django.core.management.base import BaseCommand

from yingji.monitoring.mqtt import Consumer, topic_filter


class Command(BaseCommand):
    help = "Subscribe to device readings over MQTT (QoS 1, persistent session) and store them in batches."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="broker URL (default YINGJI_MQTT_URL)")
        parser.add_argument("--topic-prefix", help="topic prefix (default YINGJI_MQTT_TOPIC_PREFIX)")
        parser.add_argument("--client-id", help="MQTT client id (default YINGJI_MQTT_CLIENT_ID)")
        parser.add_argument("--batch-size", type=int, default=500, help="messages per transaction at most")
        parser.add_argument(
            "--batch-ms", type=int, default=150, help="wait at most this long to fill a batch"
        )
        parser.add_argument("--max-seconds", type=float, help="stop after this many seconds")
        parser.add_argument(
            "--once",
            action="store_true",
            help="take what the broker holds for us, then stop once no message came for --idle seconds",
        )
        parser.add_argument("--idle", type=float, default=2.0, help="seconds of silence that end --once")

    def handle(self, *args, **options):
        logging.getLogger("yingji.monitoring").setLevel(logging.INFO)
        consumer = Consumer(
            url=options["url"],
            topic_prefix=options["topic_prefix"],
            client_id=options["client_id"],
            batch_size=options["batch_size"],
            batch_seconds=options["batch_ms"] / 1000,
        )
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.stderr.write(
            f"ingest: {consumer.url.geturl()} {topic_filter(consumer.prefix)} as {consumer.client_id}"
        )
        stats = consumer.run(
            stop=stop,
            max_seconds=options["max_seconds"],
            idle_exit=options["idle"] if options["once"] else None,
        )
        self.stdout.write(" ".join(f"{key}={value}" for key, value in sorted(stats.items())))
