"""Monthly partitions (PostgreSQL) and retention of readings and rollups (both databases)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from yingji.monitoring import maintenance, store
from yingji.monitoring.models import Reading, ReadingHour, ReadingMinute
from yingji.monitoring.telemetry import RawReading

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC)
needs_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="partitions are PostgreSQL only"
)


def days_ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def test_retention_removes_old_readings_and_rollups(gas_point):
    ages = [1, 29, 31, 100, 2000]
    store.store_readings([RawReading(gas_point.pk, days_ago(d), float(d)) for d in ages], now=NOW)
    if maintenance.is_partitioned():  # only the DEFAULT partition is deleted from row by row
        maintenance.ensure_partitions(days_ago(2000), months_ahead=70)
    done = maintenance.apply_retention(NOW)
    kept = sorted(Reading.objects.values_list("value", flat=True))
    if maintenance.is_partitioned():
        assert done["partitions"] > 0
        # whole months only: 31 days ago falls in a month that is not yet entirely expired
        assert kept == [1.0, 29.0, 31.0]
    else:
        assert kept == [1.0, 29.0]
    assert sorted(ReadingMinute.objects.values_list("vmin", flat=True)) == [1.0, 29.0, 31.0]  # 90 days
    assert sorted(ReadingHour.objects.values_list("vmin", flat=True)) == [1.0, 29.0, 31.0, 100.0]  # 5 years


def test_retention_is_never_shorter_than_30_days(gas_point, settings):
    settings.MONITORING_RETENTION_DAYS = 30
    store.store_readings([RawReading(gas_point.pk, days_ago(29.9), 1.0)], now=NOW)
    maintenance.apply_retention(NOW)
    assert Reading.objects.count() == 1


def test_ensure_partitions_does_nothing_on_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert maintenance.ensure_partitions(NOW) == [] and maintenance.apply_retention(NOW)["partitions"] == 0


@needs_postgres
def test_the_readings_table_is_partitioned_by_month():
    now = datetime.datetime.now(datetime.UTC)
    names = set(maintenance.existing_partitions())
    expected = {maintenance.partition_name(maintenance.month_start(now, k)) for k in range(3)}
    assert expected | {"monitoring_reading_default"} <= names
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = 'monitoring_reading'::regclass AND i.indisprimary ORDER BY a.attnum"
        )
        assert [row[0] for row in cursor.fetchall()] == ["point_id", "ts"]
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = 'monitoring_reading' AND indexname = 'reading_ts_idx'"
        )
        assert cursor.fetchone() is None  # retention drops whole months: no index on ts alone to upkeep
        cursor.execute(
            "SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = 'monitoring_reading'::regclass AND contype = 'f'"
        )
        assert cursor.fetchone()[0] == "monitoring_point"


@needs_postgres
def test_new_partitions_take_over_rows_from_the_default_partition(gas_point):
    future = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=200)
    store.store_readings([RawReading(gas_point.pk, future, 5.0)], now=future)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_reading_default")
        assert cursor.fetchone()[0] == 1
    created = maintenance.ensure_partitions(future)
    assert maintenance.partition_name(maintenance.month_start(future)) in created
    assert maintenance.ensure_partitions(future) == []  # idempotent
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_reading_default")
        assert cursor.fetchone()[0] == 0
        cursor.execute(f"SELECT count(*) FROM {maintenance.partition_name(maintenance.month_start(future))}")  # noqa: S608
        assert cursor.fetchone()[0] == 1
    assert Reading.objects.get().value == 5.0
