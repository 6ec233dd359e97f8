"""Batched writes of readings: raw rows deduplicated on (point, ts), 1-minute and 1-hour rollups,
the points' last value and the devices' last contact — plain SQL, one transaction per batch.

SQLite and PostgreSQL both take INSERT ... ON CONFLICT DO NOTHING RETURNING, so a batch learns
which readings were new; only those feed the rollups and the alarm evaluation (a message sent
twice changes nothing). On PostgreSQL whole columns travel as arrays through unnest(), a few
statements per batch whatever its size.
"""

from __future__ import annotations

import datetime
import functools
import time
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from yingji.monitoring.telemetry import RawReading

UTC = datetime.UTC
SQLITE_VARIABLES = 30000  # per statement, under SQLite's 32,766
SQLITE_ROWS_PER_STATEMENT = SQLITE_VARIABLES // 3


def store_readings(readings: list[RawReading], *, now: datetime.datetime | None = None) -> list[RawReading]:
    """Store a batch of validated readings; return those that were new (not already stored)."""
    now = now or timezone.now()
    unique = list({(r.point_id, r.ts): r for r in reversed(readings)}.values())  # first one wins
    unique.reverse()
    if not unique:
        return []
    writer = _PostgresWriter() if connection.vendor == "postgresql" else _SqliteWriter()
    clock = _Clock()
    with transaction.atomic():
        new = writer.insert_readings(unique)
        clock.lap("insert")
        if new:
            writer.upsert_rollups("monitoring_readingminute", _rollups(new, _minute))
            clock.lap("minute")
            writer.upsert_rollups("monitoring_readinghour", _rollups(new, _hour))
            clock.lap("hour")
            writer.update_points(_latest_per_point(new))
            clock.lap("points")
            writer.touch_devices(sorted({r.point_id for r in new}), now)
            clock.lap("devices")
    clock.lap("commit")
    return new


# Seconds spent per step since the process started (benchmarks/bench_ingest.py prints them).
TIMINGS: Counter[str] = Counter()


class _Clock:
    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        TIMINGS[step] += now - self.last
        self.last = now


@functools.lru_cache(maxsize=8192)  # a batch shares few distinct timestamps (devices sample together)
def _minute(ts: datetime.datetime) -> datetime.datetime:
    return ts.astimezone(UTC).replace(second=0, microsecond=0)


@functools.lru_cache(maxsize=8192)
def _hour(ts: datetime.datetime) -> datetime.datetime:
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _rollups(
    readings: Iterable[RawReading], bucket_of
) -> list[tuple[int, datetime.datetime, float, float, float, int]]:
    """(point_id, bucket, min, max, sum, count) of the readings per point and bucket."""
    acc: dict[tuple[int, datetime.datetime], list] = {}
    for point_id, ts, value in readings:
        key = (point_id, bucket_of(ts))
        row = acc.get(key)
        if row is None:
            acc[key] = [value, value, value, 1]
        else:
            if value < row[0]:
                row[0] = value
            if value > row[1]:
                row[1] = value
            row[2] += value
            row[3] += 1
    return [(p, b, r[0], r[1], r[2], r[3]) for (p, b), r in sorted(acc.items())]


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _latest_per_point(readings: Iterable[RawReading]) -> list[RawReading]:
    latest: dict[int, RawReading] = {}
    for reading in readings:
        held = latest.get(reading.point_id)
        if held is None or reading.ts > held.ts:
            latest[reading.point_id] = reading
    return sorted(latest.values())  # one lock order for concurrent writers


@functools.lru_cache(maxsize=8192)
def sqlite_ts(ts: datetime.datetime) -> str:
    """The text Django's SQLite backend stores for an aware datetime (UTC, naive, ISO with a space)."""
    return ts.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


class _SqliteWriter:
    """Multi-row statements on the raw sqlite3 cursor (Django's wrapper rewrites every query text)."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.cursor = connection.connection.cursor()

    def insert_readings(self, readings: list[RawReading]) -> list[RawReading]:
        new: list[RawReading] = []
        for chunk in _chunks(readings, SQLITE_ROWS_PER_STATEMENT):
            stamps = [sqlite_ts(r.ts) for r in chunk]
            params = [x for r, text in zip(chunk, stamps, strict=True) for x in (r.point_id, text, r.value)]
            values = ",".join(["(?,?,?)"] * len(chunk))
            self.cursor.execute(
                f"INSERT INTO monitoring_reading (point_id, ts, value) VALUES {values} "  # noqa: S608
                "ON CONFLICT DO NOTHING RETURNING point_id, ts || ''",  # text: no datetime parsing
                params,
            )
            inserted = self.cursor.fetchall()
            if len(inserted) == len(chunk):  # the usual case: nothing was there yet
                new += chunk
            elif inserted:
                by_key = {(r.point_id, text): r for r, text in zip(chunk, stamps, strict=True)}
                new += [by_key[(point_id, ts)] for point_id, ts in inserted]
        return new

    def upsert_rollups(self, table: str, rows: list) -> None:
        cursor = self.cursor
        for chunk in _chunks(rows, SQLITE_VARIABLES // 6):
            params = [
                item for p, b, lo, hi, total, n in chunk for item in (p, sqlite_ts(b), lo, hi, total, n)
            ]
            values = ",".join(["(?,?,?,?,?,?)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (point_id, bucket, vmin, vmax, vsum, count) VALUES {values} "  # noqa: S608
                "ON CONFLICT (point_id, bucket) DO UPDATE SET vmin = min(vmin, excluded.vmin), "
                "vmax = max(vmax, excluded.vmax), vsum = vsum + excluded.vsum, count = count + excluded.count",
                params,
            )

    def update_points(self, latest: list[RawReading]) -> None:
        cursor = self.cursor
        for chunk in _chunks(latest, SQLITE_VARIABLES // 3):
            params = [item for r in chunk for item in (r.point_id, sqlite_ts(r.ts), r.value)]
            values = ",".join(["(?,?,?)"] * len(chunk))
            cursor.execute(
                "UPDATE monitoring_point SET last_ts = v.column2, last_value = v.column3 "  # noqa: S608
                f"FROM (VALUES {values}) AS v WHERE monitoring_point.id = v.column1 "
                "AND (monitoring_point.last_ts IS NULL OR monitoring_point.last_ts < v.column2)",
                params,
            )

    def touch_devices(self, point_ids: list[int], now: datetime.datetime) -> None:
        seen = sqlite_ts(now)
        cursor = self.cursor
        for start in range(0, len(point_ids), 10000):
            chunk = point_ids[start : start + 10000]
            marks = ",".join(["?"] * len(chunk))
            cursor.execute(
                "UPDATE monitoring_device SET last_seen_at = ?, is_online = 1, offline_since = NULL "  # noqa: S608
                f"WHERE id IN (SELECT DISTINCT device_id FROM monitoring_point WHERE id IN ({marks})) "
                "AND (last_seen_at IS NULL OR last_seen_at < ? OR is_online = 0)",
                [seen, *chunk, seen],
            )


class _PostgresWriter:
    """Whole columns as binary arrays through unnest(), on a server-side-binding psycopg cursor
    (Django's client-side cursor would spell every array out as text), binary results."""

    def __init__(self) -> None:
        import psycopg

        connection.ensure_connection()
        self.cursor = psycopg.Cursor(connection.connection)

    def insert_readings(self, readings: list[RawReading]) -> list[RawReading]:
        self.cursor.execute(
            "INSERT INTO monitoring_reading (point_id, ts, value) "
            "SELECT * FROM unnest(%b::bigint[], %b::timestamptz[], %b::float8[]) "
            "ON CONFLICT DO NOTHING RETURNING point_id, ts",
            [[r.point_id for r in readings], [r.ts for r in readings], [r.value for r in readings]],
            binary=True,
        )
        inserted = self.cursor.fetchall()
        if len(inserted) == len(readings):  # the usual case: nothing was there yet
            return readings
        by_key = {(r.point_id, r.ts): r for r in readings}
        return [by_key[(point_id, ts)] for point_id, ts in inserted]

    def upsert_rollups(self, table: str, rows: list) -> None:
        columns = [list(column) for column in zip(*rows, strict=True)]
        self.cursor.execute(
            f"INSERT INTO {table} AS r (point_id, bucket, vmin, vmax, vsum, count) "  # noqa: S608
            "SELECT * FROM unnest(%b::bigint[], %b::timestamptz[], %b::float8[], %b::float8[], "
            "%b::float8[], %b::int[]) "
            "ON CONFLICT (point_id, bucket) DO UPDATE SET vmin = LEAST(r.vmin, excluded.vmin), "
            "vmax = GREATEST(r.vmax, excluded.vmax), vsum = r.vsum + excluded.vsum, "
            "count = r.count + excluded.count",
            columns,
        )

    def update_points(self, latest: list[RawReading]) -> None:
        self.cursor.execute(
            "UPDATE monitoring_point AS p SET last_value = v.value, last_ts = v.ts "
            "FROM unnest(%b::bigint[], %b::timestamptz[], %b::float8[]) AS v(id, ts, value) "
            "WHERE p.id = v.id AND (p.last_ts IS NULL OR p.last_ts < v.ts)",
            [[r.point_id for r in latest], [r.ts for r in latest], [r.value for r in latest]],
        )

    def touch_devices(self, point_ids: list[int], now: datetime.datetime) -> None:
        self.cursor.execute(
            "UPDATE monitoring_device SET last_seen_at = %b, is_online = true, offline_since = NULL "
            "WHERE id IN (SELECT DISTINCT device_id FROM monitoring_point WHERE id = ANY(%b::bigint[])) "
            "AND (last_seen_at IS NULL OR last_seen_at < %b OR NOT is_online)",
            [now, point_ids, now],
        )
