"""Telemetry ingest throughput and latency (issue 5, performance (a), (b), (c)).

    python benchmarks/bench_ingest.py --db sqlite
    python benchmarks/bench_ingest.py --db postgres
    python benchmarks/bench_ingest.py --db sqlite --e2e-seconds 0      # (a) and (b) only

Builds a fresh database (SQLite in a scratch folder, or the PostgreSQL database `--pg-name`,
dropped first), runs `yingji migrate`, creates one enterprise with `--devices` devices of
`--points-per-device` points (default 100 x 20 = 2,000 points), then in this process:

(a) raw ceiling: plain batched INSERTs (executemany of prepared rows, one transaction per batch)
    of `--ticks` readings per point into monitoring_reading, without our code;
(b) our pipeline from a parsed batch: `store.store_readings` (dedup via ON CONFLICT ... RETURNING,
    1-minute and 1-hour rollups, points' last value, devices' last contact) plus the alarm
    evaluation when `monitoring.evaluation` is importable, the same readings, same batch size;
    also the parse + validate cost of the same readings as JSON messages;
(c) end to end through Mosquitto (127.0.0.1:1883): a publisher process sends `--rate` readings/s
    (QoS 1, one message per device every 0.2 s) for `--e2e-seconds`, while the MQTT consumer
    (`monitoring.mqtt.Consumer`, as `yingji ingest` runs it) stores and evaluates them; latency is
    measured per reading from its timestamp (set at publish) to the commit of its batch and to the
    end of its evaluation (where alarm rows are written).
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ScratchDatabase, ensure_venv, machine_info, percentile, print_machine  # noqa: E402

BROKER = ("127.0.0.1", 1883)


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--points-per-device", type=int, default=20)
    parser.add_argument("--ticks", type=int, default=100, help="readings per point in (a) and (b)")
    parser.add_argument("--batch", type=int, default=2000, help="readings per transaction in (a) and (b)")
    parser.add_argument("--rate", type=int, default=10_000, help="readings/s published in (c)")
    parser.add_argument("--e2e-seconds", type=float, default=30, help="length of (c); 0 skips it")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of (b)")
    parser.add_argument(
        "--pg-name", default="yingji_bench_ingest", help="PostgreSQL database name (dropped first)"
    )
    args = parser.parse_args()

    with ScratchDatabase(args.db, keep=args.keep, pg_name=args.pg_name) as db:
        print(f"Database: {db.describe()}")
        db.yingji(
            "migrate", "--no-input", "-v", "0", "--skip-checks"
        )  # the URL checks are not what we measure
        for key in [k for k in os.environ if k.startswith("YINGJI_")]:
            del os.environ[key]
        os.environ.update(db.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
        import django

        django.setup()
        devices = make_points(args.devices, args.points_per_device)
        point_ids = [pid for _code, points in devices for _pcode, pid in points]
        rows = []
        results = {}
        results["a"] = bench_raw(point_ids, args.ticks, args.batch)
        rows.append(("(a) raw batched INSERT", results["a"]))
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        results["b"], detail = bench_pipeline(point_ids, args.ticks, args.batch)
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        rows.append(("(b) store_readings + evaluation", results["b"]))
        rows.append(("    of which store_readings", detail["store"]))
        rows.append(("    of which evaluation", detail["evaluate"]))
        rows.append(("    parse + validate JSON (not in b)", bench_parse(devices, args.ticks)))
        print()
        print_machine(machine_info(args.db))
        print()
        print(
            f"{len(point_ids):,} points, {args.ticks} readings each = {len(point_ids) * args.ticks:,} readings, "
            f"{args.batch:,} per batch; evaluation {'on' if detail['evaluation_module'] else 'not importable'}"
        )
        print()
        print("| step | readings | seconds | readings/s |")
        print("| --- | ---: | ---: | ---: |")
        for label, (count, seconds) in rows:
            print(f"| {label} | {count:,} | {seconds:.2f} | {count / seconds:,.0f} |")
        ratio = (results["b"][0] / results["b"][1]) / (results["a"][0] / results["a"][1])
        print(f"\n(b)/(a) = {ratio:.2f}")
        from yingji.monitoring.store import TIMINGS

        print("(b) store_readings by step (s): " + ", ".join(f"{k} {v:.2f}" for k, v in TIMINGS.items()))
        if args.e2e_seconds > 0:
            e2e = bench_end_to_end(devices, args.rate, args.e2e_seconds)
            print()
            print("| (c) end to end via Mosquitto | value |")
            print("| --- | ---: |")
            for key, value in e2e.items():
                print(f"| {key} | {value} |")
    return 0


# -- setup -----------------------------------------------------------------------------------------


def make_points(n_devices: int, per_device: int) -> list[tuple[str, list[tuple[str, int]]]]:
    """One enterprise, its devices and points; returns [(device code, [(point code, point id)])]."""
    from yingji.core.identifiers import uscc_check_char
    from yingji.core.models import Division
    from yingji.monitoring.models import Device, Point
    from yingji.registry.models import Enterprise

    division = Division.objects.filter(level="village").order_by("code").first() or Division.objects.first()
    first17 = "91329901MA0000001"
    enterprise = Enterprise.objects.create(
        name="基准测试化工有限公司",
        uscc=first17 + uscc_check_char(first17),
        industry="26",
        division=division,
        main_person="张三",
        main_person_phone="13812341234",
    )
    out = []
    for d in range(n_devices):
        device = Device.objects.create(
            enterprise=enterprise,
            division=division,
            code=f"BENCH-{d:04d}",
            name=f"采集器 {d}",
            sampling_period_s=1,
        )
        points = Point.objects.bulk_create(
            [
                Point(
                    device=device,
                    enterprise=enterprise,
                    division=division,
                    code=f"P{p:03d}",
                    name=f"点 {p}",
                    kind="combustible_gas",
                    unit="%LEL",
                    range_low=0,
                    range_high=100,
                    high1=25,
                    high2=50,
                    deadband=2,
                )
                for p in range(per_device)
            ]
        )
        out.append((device.code, [(pt.code, pt.pk) for pt in points]))
    return out


def base_time() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(hours=3)


def value_of(point_id: int, tick: int) -> float:
    return 10.0 + (point_id * 7 + tick * 3) % 11  # below the 25 %LEL threshold: steady state


def empty_tables() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("monitoring_reading", "monitoring_readingminute", "monitoring_readinghour"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute("UPDATE monitoring_point SET last_value = NULL, last_ts = NULL")


# -- (a) -------------------------------------------------------------------------------------------


def bench_raw(point_ids: list[int], ticks: int, batch: int) -> tuple[int, float]:
    from django.db import connection, transaction

    from yingji.monitoring.store import sqlite_ts

    empty_tables()
    start = base_time()
    sqlite = connection.vendor == "sqlite"
    marker = "?" if sqlite else "%s"
    rows = []
    for tick in range(ticks):
        ts = start + datetime.timedelta(seconds=tick)
        stamp = sqlite_ts(ts) if sqlite else ts
        rows += [(pid, stamp, value_of(pid, tick)) for pid in point_ids]
    sql = f"INSERT INTO monitoring_reading (point_id, ts, value) VALUES ({marker}, {marker}, {marker})"
    began = time.perf_counter()
    for i in range(0, len(rows), batch):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows[i : i + batch])
    return len(rows), time.perf_counter() - began


# -- (b) -------------------------------------------------------------------------------------------


def bench_pipeline(point_ids: list[int], ticks: int, batch: int):
    from django.utils import timezone

    from yingji.monitoring import ingest, store
    from yingji.monitoring.telemetry import RawReading

    try:
        import yingji.monitoring.evaluation  # noqa: F401

        has_evaluation = True
    except ImportError:
        has_evaluation = False
    empty_tables()
    start = base_time()
    readings = []
    for tick in range(ticks):
        ts = start + datetime.timedelta(seconds=tick)
        readings += [RawReading(pid, ts, value_of(pid, tick)) for pid in point_ids]
    batches = [readings[i : i + batch] for i in range(0, len(readings), batch)]
    store.TIMINGS.clear()
    store_seconds = evaluate_seconds = 0.0
    stored = 0
    for chunk in batches:
        now = timezone.now()
        t0 = time.perf_counter()
        new = store.store_readings(chunk, now=now)
        t1 = time.perf_counter()
        ingest.evaluate_new(new, now=now)
        t2 = time.perf_counter()
        store_seconds += t1 - t0
        evaluate_seconds += t2 - t1
        stored += len(new)
    if stored != len(readings):
        raise SystemExit(f"stored {stored} of {len(readings)} readings")
    if ingest.COUNTERS["evaluation_errors"]:
        print(f"warning: {ingest.COUNTERS['evaluation_errors']} evaluation errors", file=sys.stderr)
    detail = {
        "store": (len(readings), store_seconds),
        "evaluate": (len(readings), evaluate_seconds or 1e-9),
        "evaluation_module": has_evaluation,
    }
    return (len(readings), store_seconds + evaluate_seconds), detail


def bench_parse(devices, ticks: int) -> tuple[int, float]:
    from django.utils import timezone

    from yingji.monitoring import ingest

    start = base_time()
    messages = []
    for tick in range(ticks):
        ts = int((start + datetime.timedelta(seconds=tick)).timestamp() * 1000)
        for code, points in devices:
            body = {"device": code, "ts": ts, "values": {pcode: value_of(pid, tick) for pcode, pid in points}}
            messages.append((code, json.dumps(body).encode()))
    now = timezone.now()
    began = time.perf_counter()
    count = 0
    for code, body in messages:
        count += len(ingest.parse_message(body, device_code=code, now=now).readings)
    return count, time.perf_counter() - began


# -- (c) -------------------------------------------------------------------------------------------


def publish(prefix: str, devices, rate: int, seconds: float, ready, sent_total) -> None:
    """The publisher process: one compact message per device every `period`, stamped at publish."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}")
    client.max_inflight_messages_set(1000)
    client.connect(*BROKER)
    client.loop_start()
    per_tick = sum(len(points) for _code, points in devices)
    period = per_tick / rate
    ready.wait()
    began = time.monotonic()
    tick = 0
    sent = 0
    while time.monotonic() - began < seconds:
        target = began + tick * period
        pause = target - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        for code, points in devices:
            ts = int(time.time() * 1000)
            body = json.dumps(
                {"device": code, "ts": ts, "values": {pcode: 10.0 + tick % 7 for pcode, _pid in points}}
            )
            info = client.publish(f"{prefix}/devices/{code}/readings", body, qos=1)
            sent += len(points)
        tick += 1
    info.wait_for_publish(30)  # QoS 1: the broker has acknowledged every message before we leave
    sent_total.value = sent
    client.disconnect()
    client.loop_stop()
    print(f"publisher: {sent:,} readings in {time.monotonic() - began:.1f} s", file=sys.stderr)


def bench_end_to_end(devices, rate: int, seconds: float) -> dict:
    import socket

    from yingji.monitoring.mqtt import Consumer

    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        return {"skipped": f"Mosquitto not reachable at {BROKER[0]}:{BROKER[1]}"}
    empty_tables()
    prefix = f"bench-{uuid.uuid4().hex[:8]}/v1"
    store_lat: list[float] = []
    eval_lat: list[float] = []
    counts = {"stored": 0}

    def on_batch(batch, result, committed_at):
        evaluated_at = time.time()
        for reading in result.new_readings:
            sent = reading.ts.timestamp()
            store_lat.append(committed_at - sent)
            eval_lat.append(evaluated_at - sent)
        counts["stored"] += result.accepted

    consumer = Consumer(
        url=f"mqtt://{BROKER[0]}:{BROKER[1]}",
        topic_prefix=prefix,
        client_id=f"bench-ingest-{uuid.uuid4().hex[:8]}",
        on_batch=on_batch,
        session_expiry=60,
    )
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    consumer.subscribed.wait(10)
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    sent_total = ctx.Value("q", 0)
    publisher = ctx.Process(target=publish, args=(prefix, devices, rate, seconds, ready, sent_total))
    publisher.start()
    time.sleep(1.0)  # the publisher's interpreter and connection are up
    began = time.monotonic()
    ready.set()
    publisher.join()
    published_for = time.monotonic() - began
    expected = sent_total.value  # every published reading must be stored: none lost
    deadline = time.monotonic() + 30
    while counts["stored"] < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(30)
    return {
        "target rate (readings/s)": f"{rate:,}",
        "published for (s)": f"{published_for:.1f}",
        "readings published / stored": f"{expected:,} / {counts['stored']:,}",
        "stored rate (readings/s)": f"{counts['stored'] / published_for:,.0f}",
        "latency publish -> committed p50 / p99 / max (ms)": (
            f"{percentile(store_lat, 50) * 1000:.0f} / {percentile(store_lat, 99) * 1000:.0f} / "
            f"{max(store_lat, default=float('nan')) * 1000:.0f}"
        ),
        "latency publish -> evaluated p50 / p99 / max (ms)": (
            f"{percentile(eval_lat, 50) * 1000:.0f} / {percentile(eval_lat, 99) * 1000:.0f} / "
            f"{max(eval_lat, default=float('nan')) * 1000:.0f}"
        ),
        "db retries / batch errors": f"{consumer.stats['db_retries']} / {consumer.stats['batch_errors']}",
    }


if __name__ == "__main__":
    raise SystemExit(main())
