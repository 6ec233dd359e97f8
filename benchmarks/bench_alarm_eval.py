"""Alarm evaluation alone: `monitoring.evaluation.evaluate` over R readings of P points.

    python benchmarks/bench_alarm_eval.py --db sqlite
    python benchmarks/bench_alarm_eval.py --db postgres

Builds a fresh database (SQLite in a scratch folder, or the PostgreSQL database `--pg-name`,
dropped first), runs `yingji migrate`, creates P points (default 2,000; 10 per device, gas, level,
pressure and temperature points with two-level thresholds, deadbands and on-delays as configured in
the field, a tenth with a rate-of-change limit and stuck detection) and R readings (default 200,000:
100 per point, 10 s apart) with realistic noise (a slow daily-like drift plus Gaussian noise) and
rare real excursions (4 points in 100, one of each kind, rise beyond their high limit for 100 s,
longer than any on-delay). Then it times
`evaluate()` over the readings in batches of `--batch` (as the ingest hands them over after each
commit), the cache already warm, and prints readings/s of `evaluate` alone together with the alarms
it raised. The readings are not stored: this measures the evaluation, not the ingest.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ScratchDatabase, ensure_venv, machine_info, print_machine  # noqa: E402

KINDS = (
    # kind, unit, base, noise sd, range, high1, high2, deadband, on-delay
    ("combustible_gas", "%LEL", 3.0, 0.8, (0, 100), 25, 50, 2.0, 0),
    ("level", "m", 6.0, 0.05, (0, 12), 9.5, 10.5, 0.2, 30),
    ("pressure", "MPa", 1.2, 0.01, (0, 4), 1.6, 2.0, 0.04, 15),
    ("temperature", "°C", 35.0, 0.3, (-20, 150), 60, 80, 1.0, 60),
)


def build(points: int) -> list[tuple]:
    from yingji.core.identifiers import uscc_check_char
    from yingji.core.models import Division
    from yingji.monitoring.models import Device, Point
    from yingji.registry.models import Enterprise, MajorHazardSource

    province, _ = Division.objects.get_or_create(
        code="320000000000", defaults={"name": "省", "level": "province"}
    )
    city, _ = Division.objects.get_or_create(
        code="329900000000", defaults={"name": "市", "level": "city", "parent": province}
    )
    county, _ = Division.objects.get_or_create(
        code="329901000000", defaults={"name": "县", "level": "county", "parent": city}
    )
    first17 = "91329901MA0000001"
    enterprise = Enterprise.objects.create(
        name="基准化工", uscc=first17 + uscc_check_char(first17), industry="26", division=county
    )
    source = MajorHazardSource.objects.create(
        enterprise=enterprise,
        division=county,
        name="罐区",
        category="hazchem",
        kind="storage",
        is_major=True,
        grade=2,
    )
    devices = Device.objects.bulk_create(
        Device(enterprise=enterprise, source=source, division=county, code=f"D{i:05d}", name=f"D{i}")
        for i in range(max(1, points // 10))
    )
    rows = []
    for i in range(points):
        kind, unit, base, sd, (lo, hi), h1, h2, deadband, on_delay = KINDS[i % len(KINDS)]
        special = i % 10 == 9
        rows.append(
            Point(
                device=devices[i // 10 % len(devices)],
                enterprise=enterprise,
                source=source,
                division=county,
                code=f"P{i:06d}",
                name=f"P{i}",
                kind=kind,
                unit=unit,
                range_low=lo,
                range_high=hi,
                high1=h1,
                high2=h2,
                deadband=deadband,
                on_delay_s=on_delay,
                rate_limit=(h2 - base) if special else None,
                stuck_after_s=600 if special else None,
            )
        )
    created = Point.objects.bulk_create(rows)
    return [(p.pk, KINDS[i % len(KINDS)]) for i, p in enumerate(created)]


def readings(points: list[tuple], per_point: int, start: datetime.datetime) -> list:
    from yingji.monitoring.telemetry import RawReading

    rng = random.Random(5)
    result = []
    excursion = {pk for i, (pk, _k) in enumerate(points) if i % 100 < 4}
    for step in range(per_point):
        ts = start + datetime.timedelta(seconds=10 * step)
        for pk, (_kind, _unit, base, sd, (lo, _hi), h1, _h2, _db, _on) in points:
            value = base * (1 + 0.05 * math.sin(step / 30 + pk)) + rng.gauss(0, sd)
            if pk in excursion and 40 <= step < 50:
                value = h1 + 2 * sd + (h1 - base) * 0.1
            result.append(RawReading(pk, ts, round(max(lo, value), 3)))  # sensors clamp at zero
    return result


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--readings", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5000, help="readings per evaluate() call")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--pg-name", default="yingji_bench_alarm_eval")
    args = parser.parse_args()

    with ScratchDatabase(args.db, keep=args.keep, pg_name=args.pg_name) as db:
        print(f"Database: {db.describe()}")
        db.yingji("migrate", "--no-input", "-v", "0")
        for key in [k for k in os.environ if k.startswith("YINGJI_")]:
            del os.environ[key]
        os.environ.update(db.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
        import django

        django.setup()
        from django.db.models import Count

        from yingji.monitoring import evaluation
        from yingji.monitoring.models import Alarm

        points = build(args.points)
        start = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
        data = readings(points, max(1, args.readings // len(points)), start)
        evaluation.evaluate(data[:1], now=start)  # warm the cache (config, open alarms)
        data = data[1:]
        batches = [data[i : i + args.batch] for i in range(0, len(data), args.batch)]
        cpu = time.process_time()
        started = time.perf_counter()
        for batch in batches:
            evaluation.evaluate(batch, now=batch[-1].ts)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        raised = Alarm.objects.count()
        print()
        print_machine(machine_info(args.db))
        print()
        print("| database | points | readings | batch | seconds | readings/s | CPU s | alarms raised |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        print(
            f"| {args.db} | {len(points):,} | {len(data):,} | {args.batch:,} | {elapsed:.3f} | "
            f"{len(data) / elapsed:,.0f} | {cpu:.3f} | {raised:,} |"
        )
        expected = len({pk for i, (pk, _k) in enumerate(points) if i % 100 < 4})
        by_condition = dict(Alarm.objects.values_list("condition").annotate(n=Count("id")))
        print(f"\nalarms by condition: {by_condition}")
        highs = Alarm.objects.filter(condition="high").values("point").distinct().count()
        print(f"real excursions: {expected}; points with a high alarm: {highs}")
        return 0 if highs >= expected else 1


if __name__ == "__main__":
    sys.exit(main())
