"""Alarm quality (issue 5, performance (d)): one simulated day of the demo's telemetry through the real
pipeline, then the alarm load a duty officer would see.

    python benchmarks/bench_alarm_quality.py                      # SQLite, 24 simulated hours
    python benchmarks/bench_alarm_quality.py --db postgres
    python benchmarks/bench_alarm_quality.py --hours 6 --seed 7 --excursions-per-day 2

Builds a fresh database (`migrate`, `seed demo`), gives the demo's major hazard sources their devices
and points (`demo.monitoring.seed_monitoring`, without history; the sources come from
`demo.sources.seed_sources` when the demo seed has not made them), then runs the simulator for the
simulated period minute by minute — timestamps advance, nothing sleeps — handing each minute's
payloads to `ingest.ingest_message` (validation, `store.store_readings`, `evaluation.evaluate`) with
`now` = the simulated time, and running the offline detector (`services.detect_offline`) every
simulated minute as the worker does.

Reported (EEMUA 191 / ISA-18.2 terms): alarms raised per 10 minutes per duty officer in the steady
state (alarms not caused by an injected excursion; target ≤ 1), the same with the excursions, the
peak count in any 10 minutes, chattering point+conditions (≥ 3 activations in 60 s) and, per
injected excursion, whether its alarm was raised. Exits 1 when an excursion raised no alarm.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ScratchDatabase, ensure_venv, machine_info, print_machine  # noqa: E402

SEED = 20260501
MARGIN = {  # how long after its window an excursion's alarm may come (on-delays, offline detection)
    "gas_leak": datetime.timedelta(minutes=2),
    "overfill": datetime.timedelta(minutes=5),
    "offline": datetime.timedelta(minutes=5),
    "storm": datetime.timedelta(minutes=30),
}


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--hours", type=float, default=24.0, help="simulated hours (default 24)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--excursions-per-day",
        type=float,
        default=2.0,
        help="scale the injected excursions (1 = about two gas leaks, one overfill, one "
        "device offline and every other day a rainstorm on each pond; default 2)",
    )
    parser.add_argument(
        "--tick", type=int, default=60, help="simulated seconds per ingest round (default 60)"
    )
    parser.add_argument(
        "--no-deadbands",
        action="store_true",
        help="for comparison: run with every deadband, on-delay and off-delay set to 0",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--pg-name", default="yingji_bench_alarms", help="PostgreSQL database (dropped first)"
    )
    args = parser.parse_args()

    with ScratchDatabase(args.db, keep=args.keep, pg_name=args.pg_name) as db:
        print(f"Database: {db.describe()}")
        db.build(0)
        for key in [k for k in os.environ if k.startswith("YINGJI_")]:
            del os.environ[key]
        os.environ.update(db.env)
        os.environ["YINGJI_DEMO"] = "1"
        os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
        import django

        django.setup()
        return run(args, db)


def _setup_sources_and_devices(start: datetime.datetime) -> None:
    from yingji.demo.monitoring import seed_monitoring
    from yingji.monitoring.models import Device
    from yingji.registry.models import MajorHazardSource

    if not MajorHazardSource.objects.exists():
        try:
            from yingji.demo.sources import seed_sources
        except ImportError:
            _stand_in_sources()
        else:
            seed_sources()
    if not Device.objects.exists():
        seed_monitoring(start, history_hours=0)


def _stand_in_sources() -> None:
    """Until the demo seeds its sources: six storage units, two production units, a tailings pond and
    a mine on the county's hazardous-chemicals enterprises (the demo's scale: ~10 sources)."""
    from yingji.registry.models import Enterprise, MajorHazardSource

    print("(demo.sources is not there yet: using ten stand-in sources)")
    enterprises = list(Enterprise.objects.filter(hazchem_production=True).order_by("uscc")[:6]) or list(
        Enterprise.objects.order_by("uscc")[:6]
    )
    layout = [("storage", f"{n}号罐区") for n in range(1, 7)] + [
        ("production", "合成装置"),
        ("production", "精馏装置"),
    ]
    for i, (kind, name) in enumerate(layout):
        e = enterprises[i % len(enterprises)]
        MajorHazardSource.objects.create(
            enterprise=e,
            division_id=e.division_id,
            name=name,
            category="hazchem",
            kind=kind,
            is_major=True,
            grade=3,
        )
    for category, name in (("tailings", "尾矿库"), ("mine", "露天采场")):
        e = enterprises[-1]
        MajorHazardSource.objects.create(
            enterprise=e, division_id=e.division_id, name=name, category=category, is_major=True, grade=2
        )


def run(args, db) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from yingji.monitoring import services, simulator
    from yingji.monitoring.ingest import ingest_message
    from yingji.monitoring.models import Alarm, Device, Point, Reading

    now = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    start = now + datetime.timedelta(minutes=1)
    end = start + datetime.timedelta(hours=args.hours)
    _setup_sources_and_devices(now)
    if connection.vendor == "postgresql":
        from yingji.monitoring import maintenance

        maintenance.ensure_partitions(now=end)
    if args.no_deadbands:
        Point.objects.update(deadband=0, on_delay_s=0, off_delay_s=0)
        print("Deadbands, on-delays and off-delays all set to 0 (comparison run).")
    specs = simulator.specs_from_database()
    officers = get_user_model().objects.filter(role="duty_officer", is_active=True).count()
    print(f"Devices: {len(specs)}, points: {Point.objects.count()}, duty officers: {officers}")
    sim = simulator.Simulator(specs, seed=args.seed, start=start, excursions_per_day=args.excursions_per_day)

    started = time.perf_counter()
    cpu_started = time.process_time()
    readings = rejected = 0
    cursor = start
    tick = datetime.timedelta(seconds=args.tick)
    while cursor < end:
        cursor = min(cursor + tick, end)
        for payload in sim.advance(cursor):
            result = ingest_message(payload, channel="simulator", device_code=payload["device"], now=cursor)
            readings += result.accepted
            rejected += result.rejected
        services.detect_offline(now=cursor)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        f"Simulated {args.hours:g} h: {readings:,} readings stored ({rejected} rejected) in {wall:.1f} s wall, "
        f"{cpu:.1f} s CPU ({readings / wall:,.0f} readings/s including the simulator)"
    )
    assert Reading.objects.count() >= readings

    alarms = list(
        Alarm.objects.filter(raised_at__gte=start, raised_at__lte=end)
        .select_related("point", "device", "source")
        .order_by("raised_at", "id")
    )
    excursions = sim.excursions(start, end)
    devices = dict(Device.objects.values_list("code", "pk"))
    points = {(d, p): pk for d, p, pk in Point.objects.values_list("device__code", "code", "pk")}
    return report(args, alarms, excursions, devices, points, officers, start, end, db)


def _caused_by(alarm, e, devices, points) -> bool:
    """Whether `alarm` belongs to excursion `e` (its target, a condition it causes, in its window)."""
    if not (e.start - MARGIN[e.kind] <= alarm.raised_at <= e.end + MARGIN[e.kind]):
        return False
    if e.kind == "offline":
        return alarm.condition == "offline" and alarm.device_id == devices.get(e.device_code)
    if e.kind == "storm":
        # Everything rain-driven on the pond moves together: colours, roll-ups, rates of change.
        return alarm.source_id is not None and f"source-{alarm.source_id}" == e.group
    return alarm.point_id == points.get((e.device_code, e.point_code))


def _raised_for(e, alarms, devices, points) -> list:
    """The alarms of a condition the excursion must raise, on its target, open during its window."""
    found = []
    for alarm in alarms:
        if alarm.condition not in e.conditions or not _caused_by(alarm, e, devices, points):
            continue
        if e.kind == "storm" and alarm.point_id not in (None, points.get((e.device_code, e.point_code))):
            continue
        found.append(alarm)
    return found


def report(args, alarms, excursions, devices, points, officers, start, end, db) -> int:
    from yingji.monitoring import rules

    minutes = (end - start).total_seconds() / 60
    windows = minutes / 10
    officers_for_rate = max(officers, 1)
    steady = [a for a in alarms if not any(_caused_by(a, e, devices, points) for e in excursions)]
    times = [a.raised_at for a in alarms]
    by_condition = defaultdict(list)
    for a in alarms:
        by_condition[(a.point_id, a.device_id, a.source_id, a.rollup_item, a.condition)].append(a.raised_at)
    chattering = [key for key, ts in by_condition.items() if rules.is_chattering(sorted(ts))]
    bad_actors = Counter(
        (a.point.name if a.point_id else (a.device.name if a.device_id else a.rollup_item), a.condition)
        for a in steady
    ).most_common(5)

    print()
    print("| excursion | target | beyond threshold (UTC) | alarm | raised at | severity |")
    print("| --- | --- | --- | --- | --- | --- |")
    missed = 0
    for e in excursions:
        raised = _raised_for(e, alarms, devices, points)
        target = f"{e.device_code} {e.point_code}".strip()
        window = f"{e.start:%H:%M:%S}–{e.end:%H:%M:%S}"
        if raised:
            first = raised[0]
            print(
                f"| {e.kind} | {target} | {window} | {first.condition} | {first.raised_at:%H:%M:%S} | "
                f"{max(a.severity for a in raised)} |"
            )
        else:
            missed += 1
            print(f"| {e.kind} | {target} | {window} | **MISSED** | — | — |")

    steady_rate = len(steady) / windows / officers_for_rate
    total_rate = len(alarms) / windows / officers_for_rate
    print()
    print("| figure | value | target |")
    print("| --- | --- | --- |")
    print(f"| simulated period | {args.hours:g} h ({windows:.0f} ten-minute windows) | |")
    print(f"| duty officers | {officers} | |")
    print(f"| alarms raised | {len(alarms)} ({len(steady)} outside the excursions) | |")
    print(f"| steady state: alarms per 10 min per duty officer | {steady_rate:.3f} | ≤ 1 (EEMUA 191) |")
    print(f"| all alarms per 10 min per duty officer | {total_rate:.3f} | |")
    print(
        f"| peak alarms in any 10 minutes | {rules.peak_count(times) if times else 0} | < 10 (ISA-18.2 flood) |"
    )
    print(f"| chattering point+conditions (≥ 3 in 60 s) | {len(chattering)} | 0 |")
    print(f"| injected excursions | {len(excursions)} ({missed} missed) | 0 missed |")
    conditions = Counter(a.condition for a in alarms)
    print(f"| alarms by condition | {', '.join(f'{k} {v}' for k, v in sorted(conditions.items()))} | |")
    if bad_actors:
        print(f"| steady-state bad actors | {'; '.join(f'{n} {c} ×{k}' for (n, c), k in bad_actors)} | |")
    print()
    print_machine(machine_info(db.kind))
    if missed:
        print(f"FAILED: {missed} injected excursion(s) raised no alarm.")
        return 1
    if steady_rate > 1:
        print("WARNING: the steady-state alarm rate is above EEMUA 191's 1 per 10 minutes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
