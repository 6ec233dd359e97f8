"""A telemetry simulator for the demo's major hazard sources (issue 5, point 6).

Pure apart from reading the points once (`specs_from_database`): a `Simulator` is built from plain
`DeviceSpec`s and a seed, and `advance(until)` returns the ingest payloads (one or more per device,
`{"device": code, "readings": [{"point": code, "ts": epoch_ms, "value": x}]}`) for every reading
timestamp up to `until`. Nothing here sleeps or talks to a database, so the same code feeds the live
demo, the history the demo seed writes, the tests and the alarm-quality benchmark.

What the signals look like, per point kind:
- a slow, smooth base (daily cycle for temperatures and pressures, fill/draw cycles for tank levels,
  a flat near-zero baseline for gas detectors, rainfall-driven drifts for tailings and slopes),
- plus low-pass (AR(1)) noise scaled to the range, like a filtered transmitter,
- some tanks are filled to just under their high alarm, where only deadband and on-delay keep
  the noise from alarming (as in real tank farms),
- plus rare excursions planned per simulated day from the seed: a gas leak (ramp to ~35 %LEL and
  hold for two minutes), a tank overfill past high-high, a rainstorm that raises a tailings pond's
  phreatic line and displacements through blue and yellow, and a device that goes offline.

Normal operation stays clear of the first thresholds by a margin; reaching them is what excursions
are for. Every value is a function of (seed, point, time) except the noise, which is drawn per point
in time order, so the output does not depend on how the time is cut into ticks.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import math
import random
from collections.abc import Iterable

DAY_S = 86400
LOCAL_OFFSET_S = 8 * 3600  # the demo county keeps Beijing time; daily cycles follow its clock
MAX_READINGS_PER_PAYLOAD = 500  # well under the ingest's payload size limit
NOISE_TAU_S = 60.0  # correlation time of the transmitter noise
# The share of tanks whose operators fill them to just under the high alarm (a classic nuisance
# source: noise near the limit); deadband and on-delay must keep them quiet.
TIGHT_SHARE = 0.2

# Kinds that follow the pond's (or the mine's) rainfall.
RAIN_DRIVEN = ("displacement", "phreatic_line", "reservoir_level", "beach_length")


@dataclasses.dataclass(frozen=True)
class PointSpec:
    code: str
    kind: str
    range_low: float | None = None
    range_high: float | None = None
    scheme: str = "two_level"
    direction: str = "high"
    high1: float | None = None
    high2: float | None = None
    low1: float | None = None
    low2: float | None = None
    blue: float | None = None
    yellow: float | None = None
    orange: float | None = None
    red: float | None = None
    deadband: float = 0.0
    sampling_period_s: float | None = None  # None: the device's


@dataclasses.dataclass(frozen=True)
class DeviceSpec:
    code: str
    points: tuple[PointSpec, ...]
    sampling_period_s: float = 10.0
    group: str = ""  # the source: points of one group share its weather


@dataclasses.dataclass(frozen=True)
class Excursion:
    """An injected abnormal episode. `start`..`end` is when the value is beyond its threshold (or the
    device silent); the alarm it must raise has one of `conditions` on `point_code` (any point of
    `group` when point_code is empty; the device itself for offline)."""

    kind: str  # gas_leak | overfill | storm | offline
    device_code: str
    point_code: str
    group: str
    start: datetime.datetime
    end: datetime.datetime
    peak: float | None
    threshold: float | None
    conditions: tuple[str, ...]
    ramp: tuple[float, float, float, float] | None = None  # (start, rise, hold, fall) epoch seconds


# -- small pure helpers ------------------------------------------------------------------------------


def stable_fraction(*parts: object) -> float:
    """A number in [0, 1) fixed by `parts` (Python's hash() changes between runs)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _span(point: PointSpec) -> float:
    if point.range_low is not None and point.range_high is not None and point.range_high > point.range_low:
        return point.range_high - point.range_low
    levels = [v for v in _levels(point) if v is not None]
    return max(abs(v) for v in levels) if levels else 100.0


def _levels(point: PointSpec) -> tuple[float | None, ...]:
    return (
        point.high1,
        point.high2,
        point.low1,
        point.low2,
        point.blue,
        point.yellow,
        point.orange,
        point.red,
    )


def first_high(point: PointSpec) -> float | None:
    """The first threshold a rising value meets (high / blue when rising is dangerous)."""
    if point.scheme == "four_colour":
        return point.blue if point.direction == "high" else None
    return point.high1


def first_low(point: PointSpec) -> float | None:
    if point.scheme == "four_colour":
        return point.blue if point.direction == "low" else None
    return point.low1


def second_high(point: PointSpec) -> float | None:
    if point.scheme == "four_colour":
        return point.yellow if point.direction == "high" else None
    return point.high2


def safe_band(point: PointSpec) -> tuple[float, float]:
    """Where normal operation stays: inside the range, clear of the first thresholds by 8 % of the span
    (and by twice the deadband), so that only excursions alarm."""
    span = _span(point)
    margin = max(0.08 * span, 2 * point.deadband)
    low = point.range_low if point.range_low is not None else 0.0
    high = point.range_high if point.range_high is not None else low + span
    top = first_high(point)
    bottom = first_low(point)
    if top is not None:
        high = min(high, top - margin)
    if bottom is not None:
        low = max(low, bottom + margin)
    if high <= low:  # thresholds too close for a margin: sit in the middle
        middle = ((top if top is not None else high) + (bottom if bottom is not None else low)) / 2
        return middle, middle
    return low, high


def _ramp_envelope(t: float, start: float, rise: float, hold: float, fall: float) -> float:
    """0 → 1 over `rise`, 1 for `hold`, back to 0 over `fall` (a smooth-enough leak or overfill)."""
    x = t - start
    if x <= 0 or x >= rise + hold + fall:
        return 0.0
    if x < rise:
        return x / rise
    if x < rise + hold:
        return 1.0
    return 1.0 - (x - rise - hold) / fall


def _local_hour(t: float) -> float:
    return ((t + LOCAL_OFFSET_S) % DAY_S) / 3600.0


def _utc(t: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(t, datetime.UTC)


# -- weather ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RainEvent:
    start: float
    duration: float
    intensity: float  # mm/h
    wetting: float  # how far it pushes the rain-driven signals (1.0 ≈ a storm's full effect)


RISE_S = 2 * 3600.0  # the phreatic line and reservoir follow rain with hours of lag
DECAY_S = 8 * 3600.0


def rain_events_for_day(seed: int, group: str, day: int, *, storm: bool) -> list[RainEvent]:
    """Showers of the day (they never wet enough to alarm) and, when `storm`, one rainstorm."""
    rng = random.Random(f"{seed}:rain:{group}:{day}")
    day_start = day * DAY_S
    events = []
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        start = day_start + rng.uniform(0, DAY_S - 3 * 3600)
        events.append(
            RainEvent(start, rng.uniform(1800, 3 * 3600), rng.uniform(1, 8), rng.uniform(0.05, 0.2))
        )
    if storm:
        start = day_start + rng.uniform(2 * 3600, 12 * 3600)
        events.append(RainEvent(start, rng.uniform(4 * 3600, 6 * 3600), rng.uniform(25, 45), 1.0))
    return events


def wetness(events: Iterable[RainEvent], t: float) -> float:
    """The rain-driven response at `t`: first-order rise while it rains, slow decay afterwards."""
    total = 0.0
    for event in events:
        x = t - event.start
        if x <= 0:
            continue
        # Normalised so a storm of its usual length reaches its `wetting`.
        scale = event.wetting / (1 - math.exp(-5 * 3600 / RISE_S))
        if x < event.duration:
            total += scale * (1 - math.exp(-x / RISE_S))
        else:
            reached = scale * (1 - math.exp(-event.duration / RISE_S))
            total += reached * math.exp(-(x - event.duration) / DECAY_S)
    return total


def rainfall(events: Iterable[RainEvent], t: float) -> float:
    return sum(e.intensity for e in events if e.start <= t < e.start + e.duration)


# -- the simulator ------------------------------------------------------------------------------------


@dataclasses.dataclass
class _PointState:
    device: DeviceSpec
    point: PointSpec
    period_ms: int
    next_ms: int  # the next reading's timestamp (epoch ms)
    rng: random.Random
    noise: float = 0.0
    noise_at: float | None = None


class Simulator:
    """Readings for `devices` from `start` on; `advance(until)` moves the clock (no sleeping)."""

    def __init__(
        self,
        devices: Iterable[DeviceSpec],
        *,
        seed: int = 0,
        start: datetime.datetime,
        rate_scale: float = 1.0,
        excursions_per_day: float = 1.0,
    ):
        if rate_scale <= 0:
            raise ValueError("rate_scale must be positive")
        self.devices = sorted(devices, key=lambda d: d.code)
        self.seed = seed
        self.rate_scale = rate_scale
        self.excursions_per_day = excursions_per_day
        self._plans: dict[int, list[Excursion]] = {}
        self._rain: dict[int, dict[str, list[RainEvent]]] = {}
        self._ramps: dict[tuple[str, str], list[Excursion]] = {}
        start_ms = int(start.timestamp() * 1000)
        self._states = []
        for device in self.devices:
            for point in sorted(device.points, key=lambda p: p.code):
                period = (point.sampling_period_s or device.sampling_period_s) / rate_scale
                period_ms = max(1, round(period * 1000))
                first = (start_ms // period_ms + 1) * period_ms  # the first multiple after start
                rng = random.Random(f"{seed}:noise:{device.code}:{point.code}")
                self._states.append(_PointState(device, point, period_ms, first, rng))
        self.cursor = start

    # -- planning (pure functions of seed and day) --------------------------------------------------

    def _candidates(self, kind: str) -> list[tuple[DeviceSpec, PointSpec]]:
        if kind == "gas_leak":
            wanted = lambda p: p.kind == "combustible_gas" and p.high1 is not None  # noqa: E731
        elif kind == "overfill":
            wanted = lambda p: p.kind == "level" and p.high2 is not None  # noqa: E731
        else:
            wanted = lambda p: p.kind in RAIN_DRIVEN and p.scheme == "four_colour" and p.blue is not None  # noqa: E731
        return [(d, p) for d in self.devices for p in d.points if wanted(p)]

    def _count(self, rng: random.Random, per_day: float) -> int:
        """How many of something happen in a day; a fractional rate is the chance of one more."""
        rate = per_day * self.excursions_per_day
        return int(rate) + (1 if rng.random() < rate - int(rate) else 0)

    def rain_for_day(self, day: int) -> dict[str, list[RainEvent]]:
        """Every group's rain of a day (UTC days since the epoch), a rainstorm now and then."""
        if day not in self._rain:
            rng = random.Random(f"{self.seed}:storms:{day}")
            rain_groups = sorted({d.group for d, _ in self._candidates("storm")})
            storms = {rng.choice(rain_groups) for _ in range(self._count(rng, 0.5))} if rain_groups else set()
            self._rain[day] = {
                g: rain_events_for_day(self.seed, g, day, storm=g in storms)
                for g in sorted({d.group for d in self.devices})
            }
        return self._rain[day]

    def _rain_near(self, group: str, t: float) -> list[RainEvent]:
        """The group's rain of the day of `t` and of the day before (a storm's effect lasts a night)."""
        day = int(t // DAY_S)
        return [e for d in (day - 1, day) for e in self.rain_for_day(d).get(group, [])]

    def plan_day(self, day: int) -> list[Excursion]:
        """The excursions that start on a day."""
        if day in self._plans:
            return self._plans[day]
        rng = random.Random(f"{self.seed}:plan:{day}")
        day_start = day * DAY_S
        excursions: list[Excursion] = []
        for _ in range(self._count(rng, 2)):
            self._plan_gas_leak(rng, day_start, excursions)
        for _ in range(self._count(rng, 1)):
            self._plan_overfill(rng, day_start, excursions)
        for _ in range(self._count(rng, 1)):
            self._plan_offline(rng, day_start, excursions)
        storm_groups = {
            g for g, events in self.rain_for_day(day).items() if any(e.wetting >= 1 for e in events)
        }
        for group in sorted(storm_groups):
            excursions.extend(self._storm_excursions(group, day_start))
        self._plans[day] = excursions
        for e in excursions:
            if e.ramp is not None:
                self._ramps.setdefault((e.device_code, e.point_code), []).append(e)
        return excursions

    def _plan_gas_leak(self, rng: random.Random, day_start: float, out: list[Excursion]) -> None:
        candidates = self._candidates("gas_leak")
        if not candidates:
            return
        device, point = rng.choice(candidates)
        high1, high2 = point.high1, point.high2
        assert high1 is not None
        # Mostly a first-level leak (35 %LEL with 25/50); one in four reaches the second level.
        peak = high1 + 0.4 * (high2 - high1) if high2 is not None else 1.4 * high1
        if high2 is not None and rng.random() < 0.25:
            peak = high2 + 0.2 * (high2 - high1)
        start = day_start + rng.uniform(600, DAY_S - 3600)
        ramp = (start, 60.0, 120.0, 90.0)  # a minute's rise, two minutes' hold, dispersal
        out.append(self._ramp_excursion("gas_leak", device, point, ramp, peak, high1))

    def _plan_overfill(self, rng: random.Random, day_start: float, out: list[Excursion]) -> None:
        candidates = self._candidates("overfill")
        if not candidates:
            return
        device, point = rng.choice(candidates)
        assert point.high2 is not None
        top = point.range_high if point.range_high is not None else point.high2 * 1.1
        peak = point.high2 + 0.4 * (top - point.high2)
        start = day_start + rng.uniform(600, DAY_S - 3 * 3600)
        ramp = (start, 20 * 60.0, 10 * 60.0, 20 * 60.0)  # a fill left running, then drawn back
        threshold = point.high1 if point.high1 is not None else point.high2
        out.append(self._ramp_excursion("overfill", device, point, ramp, peak, threshold))

    def _ramp_excursion(self, kind, device, point, ramp, peak, threshold) -> Excursion:
        """The excursion with its beyond-threshold window, found on the noiseless signal in 5 s steps."""
        start, rise, hold, fall = ramp
        first = last = None
        t = start
        while t <= start + rise + hold + fall:
            plain = self.plain_value(device, point, t)
            value = plain + max(0.0, (peak - plain) * _ramp_envelope(t, *ramp))
            if value >= threshold:
                first = t if first is None else first
                last = t
            t += 5.0
        first = first if first is not None else start + rise
        last = last if last is not None else first
        return Excursion(
            kind,
            device.code,
            point.code,
            device.group,
            _utc(first),
            _utc(last),
            peak,
            threshold,
            ("high",),
            ramp,
        )

    def _plan_offline(self, rng: random.Random, day_start: float, out: list[Excursion]) -> None:
        # Not a device with a leak or overfill planned that day: those must be seen to be checked.
        busy = {e.device_code for e in out}
        devices = [d for d in self.devices if d.points and d.code not in busy]
        if not devices:
            return
        device = rng.choice(devices)
        start = day_start + rng.uniform(600, DAY_S - 3600)
        duration = rng.uniform(20 * 60, 45 * 60)
        out.append(
            Excursion(
                "offline",
                device.code,
                "",
                device.group,
                _utc(start),
                _utc(start + duration),
                None,
                None,
                ("offline",),
            )
        )

    def _storm_excursions(self, group: str, day_start: float) -> list[Excursion]:
        """One excursion per rain-driven point the storm pushes past blue (found on the noiseless signal)."""
        found = []
        for device, point in self._candidates("storm"):
            if device.group != group:
                continue
            window = self._beyond_window(device, point, day_start, day_start + 2 * DAY_S)
            if window is not None:
                found.append(
                    Excursion(
                        "storm",
                        device.code,
                        point.code,
                        group,
                        _utc(window[0]),
                        _utc(window[1]),
                        None,
                        point.blue,
                        ("colour", "rollup"),
                    )
                )
        return found

    def _beyond_window(self, device, point, start, end) -> tuple[float, float] | None:
        """The first stretch (minute steps) where the rain-driven signal is past blue."""
        first = last = None
        t = start
        while t < end:
            value = self._rain_driven(point, device, wetness(self._rain_near(device.group, t), t))
            if (value >= point.blue) if point.direction == "high" else (value <= point.blue):
                first = t if first is None else first
                last = t
            elif first is not None:
                break
            t += 60
        return (first, last) if first is not None else None

    def excursions(self, start: datetime.datetime, end: datetime.datetime) -> list[Excursion]:
        """The planned excursions that overlap [start, end)."""
        found = []
        for day in range(int(start.timestamp() // DAY_S) - 1, int(end.timestamp() // DAY_S) + 1):
            for excursion in self.plan_day(day):
                if excursion.end >= start and excursion.start < end and excursion not in found:
                    found.append(excursion)
        return sorted(found, key=lambda e: (e.start, e.device_code, e.point_code))

    # -- signals -----------------------------------------------------------------------------------

    def _rain_driven(self, point: PointSpec, device: DeviceSpec, wet: float) -> float:
        """quiet + (storm peak − quiet) × wetness × this point's sensitivity: showers stay clear of
        blue, a storm passes blue and, on the most sensitive points, may touch yellow."""
        quiet = self._quiet_value(point)
        sensitivity = 0.9 + 0.35 * stable_fraction(self.seed, "sens", device.code, point.code)
        if point.blue is None:
            return quiet
        # A storm's full effect: past blue, short of yellow on most points (the more sensitive reach it).
        if point.yellow is not None:
            peak = point.blue + 0.6 * (point.yellow - point.blue)
        else:
            peak = point.blue + 0.3 * (point.blue - quiet)
        return quiet + (peak - quiet) * min(wet * sensitivity, 1.1)

    def _quiet_value(self, point: PointSpec) -> float:
        """Where a rain-driven point rests in dry weather: one and a half colour steps short of blue."""
        if point.blue is not None and point.yellow is not None:
            quiet = point.blue - 1.5 * (point.yellow - point.blue)
            low = point.range_low if point.range_low is not None else quiet
            high = point.range_high if point.range_high is not None else quiet
            return min(max(quiet, low), high)
        low, high = safe_band(point)
        if point.direction == "low":
            return low + 0.6 * (high - low)
        return low + 0.4 * (high - low)

    def base_value(self, device: DeviceSpec, point: PointSpec, t: float) -> float:
        """The noiseless signal of a point at epoch second `t`, excursions included."""
        value = self.plain_value(device, point, t)
        return value + self._excursion_offset(device, point, t, value)

    def plain_value(self, device: DeviceSpec, point: PointSpec, t: float) -> float:
        """The noiseless signal without leaks and overfills (rain and storms included)."""
        kind = point.kind
        phase = stable_fraction(self.seed, "phase", device.code, point.code)
        low, high = safe_band(point)
        if kind in RAIN_DRIVEN:
            value = self._rain_driven(point, device, wetness(self._rain_near(device.group, t), t))
            if kind == "displacement":  # creep: a fraction of a millimetre a day
                value += (
                    (0.02 * _span(point) / 365)
                    * ((t / DAY_S) % 365)
                    * (1 if point.direction == "high" else -1)
                )
        elif kind == "rainfall":
            value = rainfall(self._rain_near(device.group, t), t)
        elif kind == "level":
            top = point.high1 - 0.004 * _span(point) if self.filled_to_the_brim(device, point) else None
            value = self._tank_level(low, high, t, phase, top)
        elif kind in ("temperature", "pressure", "flow", "other"):
            # Daily cycle peaking mid-afternoon (temperatures lag the sun), plus a per-point offset.
            hour = _local_hour(t) + 2 * phase
            cycle = math.sin(2 * math.pi * (hour - 9) / 24)
            swing = {"temperature": 0.12, "pressure": 0.1, "flow": 0.25}.get(kind, 0.15)
            value = (low + high) / 2 + swing * (high - low) * cycle
        elif kind == "combustible_gas":
            value = (point.range_low or 0.0) + 0.01 * _span(point) * (0.5 + phase)
        elif kind == "toxic_gas":
            value = (point.range_low or 0.0) + 0.002 * _span(point) * (0.5 + phase)
        elif kind == "oxygen":
            value = 20.9
        elif kind == "video":
            value = 1.0
        else:
            value = (low + high) / 2
        return value

    def filled_to_the_brim(self, device: DeviceSpec, point: PointSpec) -> bool:
        """Whether this tank is filled to just under its high alarm (about one tank in five)."""
        return (
            point.kind == "level"
            and point.high1 is not None
            and stable_fraction(self.seed, "brim", device.code, point.code) < TIGHT_SHARE
        )

    def _tank_level(self, low: float, high: float, t: float, phase: float, top: float | None = None) -> float:
        """Fill for 1.5 h, hold, draw down over 4 h, wait: a 6-hour cycle between 20 % and 95 % of the band."""
        cycle = 6 * 3600
        x = (t + phase * cycle) % cycle
        bottom = low + 0.2 * (high - low)
        top = top if top is not None else low + 0.95 * (high - low)
        if x < 5400:
            fraction = x / 5400
        elif x < 7200:
            fraction = 1.0
        elif x < 7200 + 4 * 3600:
            fraction = 1.0 - (x - 7200) / (4 * 3600)
        else:
            fraction = 0.0
        return bottom + (top - bottom) * fraction

    def _excursion_offset(self, device: DeviceSpec, point: PointSpec, t: float, value: float) -> float:
        day = int(t // DAY_S)
        self.plan_day(day - 1)
        self.plan_day(day)
        for e in self._ramps.get((device.code, point.code), ()):
            envelope = _ramp_envelope(t, *e.ramp)
            if envelope > 0 and e.peak is not None:
                return max(0.0, (e.peak - value) * envelope)
        return 0.0

    def _noise(self, state: _PointState, t: float) -> float:
        """AR(1) noise with standard deviation σ (0.3–1 % of the span, by kind) and time constant 60 s."""
        point = state.point
        sigma = _span(point) * {
            "combustible_gas": 0.004,
            "toxic_gas": 0.0005,
            "oxygen": 0.002,
            "level": 0.002,
            "temperature": 0.003,
            "pressure": 0.004,
            "flow": 0.01,
            "rainfall": 0.0,
            "video": 0.0,
        }.get(point.kind, 0.002)
        if point.kind in RAIN_DRIVEN:
            sigma = 0.001 * _span(point)  # piezometers, GNSS and radars on slow, filtered quantities
        dt = NOISE_TAU_S if state.noise_at is None else t - state.noise_at
        phi = math.exp(-max(dt, 0.0) / NOISE_TAU_S)
        state.noise = phi * state.noise + math.sqrt(1 - phi * phi) * sigma * state.rng.gauss(0.0, 1.0)
        state.noise_at = t
        return state.noise

    def _value(self, state: _PointState, t: float) -> float:
        point = state.point
        value = self.base_value(state.device, point, t) + self._noise(state, t)
        if point.kind in ("combustible_gas", "toxic_gas", "rainfall"):
            value = max(value, point.range_low or 0.0)
        if point.range_low is not None:
            value = max(value, point.range_low)
        if point.range_high is not None:
            value = min(value, point.range_high)
        return round(value, 3)

    # -- output ------------------------------------------------------------------------------------

    def offline_windows(self, device_code: str, start: float, end: float) -> list[tuple[float, float]]:
        windows = []
        for day in range(int(start // DAY_S) - 1, int(end // DAY_S) + 1):
            for e in self.plan_day(day):
                if e.kind == "offline" and e.device_code == device_code:
                    windows.append((e.start.timestamp(), e.end.timestamp()))
        return windows

    def advance(self, until: datetime.datetime) -> list[dict]:
        """Payloads with every reading whose time is after the last call's `until` and at or before
        this one's, in time order per device; devices in an offline window send nothing."""
        until_ms = int(until.timestamp() * 1000)
        start_s = self.cursor.timestamp()
        by_device: dict[str, list[dict]] = {}
        offline = {d.code: self.offline_windows(d.code, start_s, until.timestamp()) for d in self.devices}
        for state in self._states:
            code = state.device.code
            readings = by_device.setdefault(code, [])
            windows = offline[code]
            while state.next_ms <= until_ms:
                ts_ms = state.next_ms
                t = ts_ms / 1000
                value = self._value(state, t)  # drawn even when offline, so the noise stays in step
                if not any(a <= t < b for a, b in windows):
                    readings.append({"point": state.point.code, "ts": ts_ms, "value": value})
                state.next_ms += state.period_ms
        self.cursor = max(self.cursor, until)
        payloads = []
        for code, readings in by_device.items():
            readings.sort(key=lambda r: r["ts"])
            for i in range(0, len(readings), MAX_READINGS_PER_PAYLOAD):
                payloads.append({"device": code, "readings": readings[i : i + MAX_READINGS_PER_PAYLOAD]})
        return payloads


# -- specs from the database ------------------------------------------------------------------------


def spec_from_point(point) -> PointSpec:
    """A PointSpec from a `monitoring.Point` (or anything with the same attributes)."""
    return PointSpec(
        code=point.code,
        kind=point.kind,
        range_low=point.range_low,
        range_high=point.range_high,
        scheme=point.scheme,
        direction=point.direction,
        high1=point.high1,
        high2=point.high2,
        low1=point.low1,
        low2=point.low2,
        blue=point.blue,
        yellow=point.yellow,
        orange=point.orange,
        red=point.red,
        deadband=point.deadband or 0.0,
        sampling_period_s=point.sampling_period_s,
    )


def specs_from_database(devices=None) -> list[DeviceSpec]:
    """DeviceSpecs for the active devices (default: all) and their active points."""
    from yingji.monitoring.models import Device

    queryset = devices if devices is not None else Device.objects.all()
    specs = []
    for device in queryset.filter(is_active=True).prefetch_related("points").order_by("code"):
        points = tuple(spec_from_point(p) for p in device.points.all() if p.is_active)
        if points:
            group = f"source-{device.source_id}" if device.source_id else f"enterprise-{device.enterprise_id}"
            specs.append(DeviceSpec(device.code, points, float(device.sampling_period_s), group))
    return specs
