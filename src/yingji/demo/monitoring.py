"""Demo monitoring: devices and points on the demo county's major hazard sources, with a few hours of
simulated history so the charts are not empty at first start.

`seed_monitoring(now=...)` gives every source of the county that has no device yet a data-acquisition
device with the points its category calls for:
- hazardous chemicals, storage unit: two tank levels, a tank temperature, a pressure, three
  combustible gas detectors and a toxic gas detector;
- hazardous chemicals, production unit: reactor temperature and pressure, a feed flow, two
  combustible gas detectors and a toxic gas detector;
- tailings pond: the GB 50863 four-colour items (dam displacement ×4, phreatic line ×4, reservoir
  level, dry beach length) each with its roll-up item, plus rainfall and video;
- mine: CO and oxygen underground, and two slope displacement points.
Thresholds, deadbands and on-delays start from `rules_config.defaults_for` (GB/T 50493 for gas,
GB 50863 orange from red); where a kind has no default the figures below are typical of the site.

Device tokens are random; their hashes are stored and the tokens themselves written to
`DATA_DIR/demo-device-tokens.json` (for `yingji simulate --http URL --token-file ...`). The history
goes through `store.store_readings`, the same path as live data, without alarm evaluation (the
demo's alarms come from the live simulator). Idempotent: sources that have devices are skipped.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yingji.core import audit
from yingji.monitoring import rules_config
from yingji.monitoring.models import Device, Point
from yingji.monitoring.telemetry import RawReading
from yingji.registry.models import MajorHazardSource

COUNTY = "329901000000"
HISTORY_HOURS = 3
SIMULATOR_SEED = 20260501  # the live simulator and the seeded history share it (`yingji simulate`)
TOKEN_FILE_NAME = "demo-device-tokens.json"

# (code, name, kind, unit, range, {thresholds}); rules_config defaults fill deadband and on-delay.
STORAGE_POINTS = [
    (
        "LT-101",
        "1#储罐液位",
        "level",
        "m",
        (0.0, 15.0),
        {"high1": 12.75, "high2": 13.5, "low1": 1.5, "low2": 0.75},
    ),
    (
        "LT-102",
        "2#储罐液位",
        "level",
        "m",
        (0.0, 15.0),
        {"high1": 12.75, "high2": 13.5, "low1": 1.5, "low2": 0.75},
    ),
    ("TT-101", "1#储罐温度", "temperature", "°C", (-20.0, 80.0), {"high1": 40.0, "high2": 50.0}),
    ("PT-101", "1#储罐压力", "pressure", "MPa", (0.0, 1.6), {"high1": 1.0, "high2": 1.2}),
    ("GT-101", "罐区可燃气体 GT-101", "combustible_gas", "%LEL", (0.0, 100.0), {}),
    ("GT-102", "罐区可燃气体 GT-102", "combustible_gas", "%LEL", (0.0, 100.0), {}),
    ("GT-103", "装卸区可燃气体 GT-103", "combustible_gas", "%LEL", (0.0, 100.0), {}),
    ("AT-101", "罐区有毒气体 AT-101", "toxic_gas", "ppm", (0.0, 100.0), {}),
]
PRODUCTION_POINTS = [
    ("TT-201", "反应釜温度", "temperature", "°C", (0.0, 200.0), {"high1": 150.0, "high2": 170.0}),
    ("PT-201", "反应釜压力", "pressure", "MPa", (0.0, 2.5), {"high1": 1.6, "high2": 2.0}),
    ("FT-201", "进料流量", "flow", "m³/h", (0.0, 100.0), {"high1": 85.0, "low1": 10.0}),
    ("GT-201", "装置区可燃气体 GT-201", "combustible_gas", "%LEL", (0.0, 100.0), {}),
    ("GT-202", "装置区可燃气体 GT-202", "combustible_gas", "%LEL", (0.0, 100.0), {}),
    ("AT-201", "装置区一氧化碳 AT-201", "toxic_gas", "ppm", (0.0, 1000.0), {}),
]
# Tailings pond (GB 50863 items). Displacement in mm (rising is dangerous), phreatic line burial depth
# in m and dry beach length in m (falling is dangerous), reservoir water depth in m.
# Deadbands and on-delays are tuned for the alarm load (benchmarks/bench_alarm_quality.py): a few times
# the instruments' noise, and five minutes for quantities that move over hours.
_DAM = {"blue": 20.0, "yellow": 30.0, "red": 50.0, "deadband": 1.0, "on_delay_s": 300}  # orange = 80 % of red
_PHREATIC = {"blue": 8.0, "yellow": 6.5, "red": 5.0, "deadband": 0.2, "on_delay_s": 300}  # orange = 1.1 × red
TAILINGS_POINTS = [
    *[
        (
            f"DS-{i}",
            f"坝体位移 DS-{i}",
            "displacement",
            "mm",
            (0.0, 100.0),
            {**_DAM, "rollup_item": "坝体位移"},
        )
        for i in range(1, 5)
    ],
    *[
        (
            f"PL-{i}",
            f"浸润线埋深 PL-{i}",
            "phreatic_line",
            "m",
            (0.0, 30.0),
            {**_PHREATIC, "rollup_item": "浸润线"},
        )
        for i in range(1, 5)
    ],
    (
        "RL-1",
        "库水位",
        "reservoir_level",
        "m",
        (0.0, 30.0),
        {
            "blue": 20.0,
            "yellow": 22.0,
            "orange": 24.0,
            "red": 25.0,
            "deadband": 0.2,
            "on_delay_s": 300,
            "rollup_item": "库水位",
        },
    ),
    (
        "BL-1",
        "干滩长度",
        "beach_length",
        "m",
        (0.0, 300.0),
        {
            "blue": 100.0,
            "yellow": 90.0,
            "orange": 80.0,
            "red": 70.0,
            "deadband": 2.0,
            "on_delay_s": 300,
            "rollup_item": "干滩长度",
        },
    ),
    ("RF-1", "降雨量", "rainfall", "mm/h", (0.0, 200.0), {"scheme": "two_level"}),
    ("VD-1", "坝体视频", "video", "", (0.0, 1.0), {"scheme": "two_level"}),
]
MINE_POINTS = [
    ("CO-1", "井下一氧化碳 CO-1", "toxic_gas", "ppm", (0.0, 1000.0), {}),
    ("O2-1", "井下氧含量 O2-1", "oxygen", "%VOL", (0.0, 30.0), {}),
    *[
        (
            f"SD-{i}",
            f"边坡位移 SD-{i}",
            "displacement",
            "mm",
            (0.0, 100.0),
            {**_DAM, "rollup_item": "边坡位移"},
        )
        for i in range(1, 3)
    ],
]
TUNING = ("scheme", "deadband", "on_delay_s", "off_delay_s")
SLOW_KINDS = ("displacement", "phreatic_line", "reservoir_level", "beach_length", "rainfall", "video")


def _layout(source: MajorHazardSource) -> tuple[str, str, list]:
    """(device code suffix, device name, points) for a source's category."""
    if source.category == "tailings":
        return "TSF", "尾矿库在线监测站", TAILINGS_POINTS
    if source.category == "mine":
        return "MINE", "矿山安全监测分站", MINE_POINTS
    if source.kind == "production":
        return "PU", "生产装置数据采集器", PRODUCTION_POINTS
    return "TK", "罐区数据采集器", STORAGE_POINTS


def point_values(kind: str, name: str, unit: str, value_range: tuple[float, float], extra: dict) -> dict:
    """The point's settings: our figures over the kind's defaults, orange from red, deadband below the gap."""
    values = {
        "name": name,
        "kind": kind,
        "unit": unit,
        "range_low": value_range[0],
        "range_high": value_range[1],
        "scheme": "four_colour" if "blue" in extra else "two_level",
        **extra,
    }
    values = rules_config.apply_defaults(kind, values)
    values.update({k: v for k, v in extra.items() if k in TUNING})  # ours win over the kind's defaults
    values["unit"] = unit  # the defaults' unit is generic (mm for every displacement-like kind)
    values.setdefault("deadband", 0.0)
    values.setdefault("on_delay_s", 0)
    if kind in SLOW_KINDS:
        values["sampling_period_s"] = 60
    errors = rules_config.threshold_errors(values)
    if errors:
        raise ValidationError(errors)
    fields = {f.name for f in Point._meta.concrete_fields}
    return {k: v for k, v in values.items() if k in fields and k not in ("name", "kind")}


def _new_token() -> tuple[str, str]:
    from yingji.monitoring.tokens import new_token

    return new_token()


def _device_code(source: MajorHazardSource, suffix: str) -> str:
    return f"{source.enterprise.uscc[-8:]}-{source.pk:03d}-{suffix}"


def create_devices(sources) -> dict[str, str]:
    """A device with its points for each source without one; returns {device code: token}."""
    tokens = {}
    for source in sources:
        suffix, device_name, layout = _layout(source)
        token, token_hash = _new_token()
        all_slow = all(kind in SLOW_KINDS for _, _, kind, *_ in layout)
        device = Device(
            enterprise=source.enterprise,
            source=source,
            division_id=source.division_id,
            code=_device_code(source, suffix),
            name=device_name,
            token_hash=token_hash,
            sampling_period_s=60 if all_slow else 10,
            offline_after_periods=6,
            is_online=False,
        )
        device.full_clean()
        device.save()
        points = []
        for code, name, kind, unit, value_range, extra in layout:
            point = Point(
                device=device,
                enterprise_id=source.enterprise_id,
                source=source,
                division_id=source.division_id,
                code=code,
                name=name,
                kind=kind,
                **point_values(kind, name, unit, value_range, extra),
            )
            point.full_clean(validate_unique=False)
            points.append(point)
        Point.objects.bulk_create(points)
        tokens[device.code] = token
    return tokens


def write_tokens(tokens: dict[str, str], path: Path | None = None) -> Path:
    """Add the tokens to the demo token file (device code → token), readable by the owner only."""
    path = path or Path(settings.DATA_DIR) / TOKEN_FILE_NAME
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(tokens)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, ensure_ascii=False, indent=1))
    path.chmod(0o600)
    return path


def write_history(devices, *, now: datetime.datetime, hours: float, seed: int = SIMULATOR_SEED) -> int:
    """Simulated readings for the last `hours` stored through `store.store_readings`; returns how many."""
    from yingji.monitoring import simulator
    from yingji.monitoring.store import store_readings

    devices = list(devices)
    specs = simulator.specs_from_database(Device.objects.filter(pk__in=[d.pk for d in devices]))
    ids = point_ids(Device.objects.filter(pk__in=[d.pk for d in devices]))
    sim = simulator.Simulator(specs, seed=seed, start=now - datetime.timedelta(hours=hours))
    total = 0
    cursor = sim.cursor
    while cursor < now:  # an hour at a time keeps the batches moderate
        cursor = min(cursor + datetime.timedelta(hours=1), now)
        readings = payloads_to_readings(sim.advance(cursor), ids)
        store_readings(readings, now=now)
        total += len(readings)
    return total


def point_ids(devices=None) -> dict[tuple[str, str], int]:
    """{(device code, point code): point id} for the devices (default: all)."""
    queryset = Point.objects.all() if devices is None else Point.objects.filter(device__in=devices)
    return {(d, p): pk for d, p, pk in queryset.values_list("device__code", "code", "pk")}


def payloads_to_readings(payloads: list[dict], ids: dict[tuple[str, str], int]) -> list[RawReading]:
    """The simulator's payloads as RawReadings (epoch-ms timestamps), skipping unknown points."""
    readings = []
    utc = datetime.UTC
    for payload in payloads:
        device = payload["device"]
        for r in payload["readings"]:
            pk = ids.get((device, r["point"]))
            if pk is not None:
                ts = datetime.datetime.fromtimestamp(r["ts"] / 1000, utc)
                readings.append(RawReading(pk, ts, float(r["value"])))
    return readings


def seed_monitoring(
    now: datetime.datetime | None = None,
    *,
    county: str = COUNTY,
    history_hours: float = HISTORY_HOURS,
    token_file: Path | None = None,
) -> int:
    """Devices and points for the county's sources that have none, plus `history_hours` of readings;
    returns how many devices were created (0 on a rerun)."""
    now = now or timezone.now()
    sources = list(
        MajorHazardSource.objects.filter(division__code__startswith=county[:6], devices__isnull=True)
        .filter(Q(is_major=True) | ~Q(category="hazchem"))  # units below the GB 18218 line are not monitored
        .exclude(status="decommissioned")
        .select_related("enterprise")
        .order_by("pk")
    )
    if not sources:
        return 0
    with transaction.atomic():
        tokens = create_devices(sources)
        audit.record("import", object_type="monitoring.device", note=f"demo seed: {len(tokens)} devices")
    write_tokens(tokens, token_file)
    if history_hours > 0:
        write_history(Device.objects.filter(code__in=tokens), now=now, hours=history_hours)
    return len(tokens)
