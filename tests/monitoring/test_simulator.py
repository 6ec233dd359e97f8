"""The telemetry simulator on its own (no database): reproducible, realistic, excursions real."""

from __future__ import annotations

import datetime

import pytest

from yingji.monitoring.simulator import DeviceSpec, PointSpec, Simulator

START = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)

GAS = PointSpec("GT-101", "combustible_gas", 0, 100, high1=25, high2=50, deadband=2)
LEVEL = PointSpec("LT-201", "level", 0, 12, high1=9.5, high2=10.5, low1=1.0, low2=0.5, deadband=0.2)
TEMP = PointSpec("TT-101", "temperature", -20, 80, high1=40, high2=50, deadband=1)
PHREATIC = PointSpec(
    "PL-1",
    "phreatic_line",
    0,
    30,
    scheme="four_colour",
    direction="low",
    blue=8,
    yellow=6.5,
    orange=5.5,
    red=5,
    deadband=0.05,
    sampling_period_s=60,
)
DAM = PointSpec(
    "DS-1",
    "displacement",
    0,
    100,
    scheme="four_colour",
    blue=20,
    yellow=30,
    orange=40,
    red=50,
    sampling_period_s=60,
)
RAIN = PointSpec("RF-1", "rainfall", 0, 200, sampling_period_s=60)
DEVICES = [
    DeviceSpec("TANKS", (GAS, LEVEL, TEMP), 10, "source-1"),
    DeviceSpec("POND", (PHREATIC, DAM, RAIN), 60, "source-2"),
]


def flatten(payloads):
    return sorted((p["device"], r["point"], r["ts"], r["value"]) for p in payloads for r in p["readings"])


def run(seed=7, step=datetime.timedelta(minutes=1), days=1, **kwargs):
    sim = Simulator(DEVICES, seed=seed, start=START, **kwargs)
    payloads, cursor = [], START
    while cursor < START + days * DAY:
        cursor = min(cursor + step, START + days * DAY)
        payloads += sim.advance(cursor)
    return sim, payloads


def series(payloads, device, point):
    return [
        (r["ts"] / 1000, r["value"])
        for p in payloads
        if p["device"] == device
        for r in p["readings"]
        if r["point"] == point
    ]


def test_same_seed_same_output_whatever_the_ticks():
    _, by_minute = run(seed=7)
    _, by_hour = run(seed=7, step=datetime.timedelta(hours=1))
    assert flatten(by_minute) == flatten(by_hour)
    _, other = run(seed=8)
    assert flatten(other) != flatten(by_minute)


def test_readings_at_the_sampling_period_and_payload_shape():
    sim = Simulator(DEVICES, seed=1, start=START, excursions_per_day=0)
    payloads = sim.advance(START + datetime.timedelta(minutes=10))
    counts = {}
    for payload in payloads:
        assert set(payload) == {"device", "readings"}
        for reading in payload["readings"]:
            assert set(reading) == {"point", "ts", "value"}
            assert isinstance(reading["ts"], int) and isinstance(reading["value"], float)
            counts[(payload["device"], reading["point"])] = (
                counts.get((payload["device"], reading["point"]), 0) + 1
            )
    assert counts[("TANKS", "GT-101")] == 60  # every 10 s for 10 minutes
    assert counts[("POND", "PL-1")] == 10  # every minute
    assert sim.advance(START + datetime.timedelta(minutes=10)) == []  # nothing twice


def test_rate_scale_multiplies_the_readings():
    sim = Simulator(DEVICES, seed=1, start=START, rate_scale=10, excursions_per_day=0)
    payloads = sim.advance(START + datetime.timedelta(minutes=1))
    assert len(series(payloads, "TANKS", "GT-101")) == 60  # every second instead of every 10 s


def test_normal_operation_stays_clear_of_the_first_thresholds():
    sim, payloads = run(seed=4, excursions_per_day=0)
    assert not sim.filled_to_the_brim(DEVICES[0], LEVEL)
    for device, point in (("TANKS", GAS), ("TANKS", LEVEL), ("TANKS", TEMP)):
        values = [v for _, v in series(payloads, device, point.code)]
        assert max(values) < point.high1 - point.deadband
        if point.low1 is not None:
            assert min(values) > point.low1 + point.deadband
        assert max(values) - min(values) > 0  # it moves (noise, cycles)


def test_some_tanks_are_filled_to_just_under_their_high_alarm():
    seed = next(
        s for s in range(100) if Simulator(DEVICES, seed=s, start=START).filled_to_the_brim(DEVICES[0], LEVEL)
    )
    sim = Simulator(DEVICES, seed=seed, start=START, excursions_per_day=0)
    values = [v for _, v in series(sim.advance(START + DAY), "TANKS", LEVEL.code)]
    # Noise touches the limit now and then; only the deadband and on-delay keep it from alarming.
    assert LEVEL.high1 - 0.1 < max(values) < LEVEL.high1 + 0.1
    assert max(values) < LEVEL.high2


def test_excursions_go_beyond_their_thresholds_for_long_enough():
    sim, payloads = run(seed=11, days=3, excursions_per_day=2)
    excursions = sim.excursions(START, START + 3 * DAY)
    kinds = {e.kind for e in excursions}
    assert {"gas_leak", "overfill", "offline"} <= kinds
    for e in excursions:
        if e.kind not in ("gas_leak", "overfill"):
            continue
        values = [
            (t, v)
            for t, v in series(payloads, e.device_code, e.point_code)
            if e.start.timestamp() <= t <= e.end.timestamp()
        ]
        beyond = [t for t, v in values if v >= e.threshold]
        assert e.peak > e.threshold
        assert len(beyond) >= 0.8 * len(values) > 0
        assert max(t for t in beyond) - min(t for t in beyond) >= 90  # a real leak, not a spike
        if e.kind == "gas_leak":
            assert e.end - e.start >= datetime.timedelta(minutes=2)


def test_an_offline_device_sends_nothing_meanwhile():
    sim, payloads = run(seed=11, days=3, excursions_per_day=2)
    offline = [e for e in sim.excursions(START, START + 3 * DAY) if e.kind == "offline"]
    assert offline
    for e in offline:
        times = [
            t
            for p in payloads
            if p["device"] == e.device_code
            for r in p["readings"]
            for t in [r["ts"] / 1000]
        ]
        assert not [t for t in times if e.start.timestamp() <= t < e.end.timestamp()]
        assert e.end - e.start >= datetime.timedelta(minutes=20)
        assert [t for t in times if t >= e.end.timestamp()] or e.end > START + 3 * DAY


def test_a_storm_drives_the_tailings_points_past_blue():
    # Find a seed whose plan has a storm on the pond (a storm comes every other day or so).
    for seed in range(40):
        sim = Simulator(DEVICES, seed=seed, start=START)
        storms = [e for e in sim.excursions(START, START + DAY) if e.kind == "storm"]
        if storms:
            break
    else:
        pytest.fail("no storm in 40 seeded days")
    payloads = sim.advance(START + 2 * DAY)
    rain = [v for _, v in series(payloads, "POND", "RF-1")]
    assert max(rain) >= 25  # mm/h
    for e in storms:
        point = {"PL-1": PHREATIC, "DS-1": DAM}[e.point_code]
        inside = [
            v
            for t, v in series(payloads, "POND", e.point_code)
            if e.start.timestamp() <= t <= e.end.timestamp()
        ]
        beyond = [v for v in inside if (v <= point.blue if point.direction == "low" else v >= point.blue)]
        assert len(beyond) >= 0.8 * len(inside) > 30  # past blue for more than half an hour
