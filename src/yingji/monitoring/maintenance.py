"""Housekeeping of the readings tables: monthly partitions ahead of time (PostgreSQL) and retention.

`ensure_partitions(now)` and `apply_retention(now)` are meant to run daily (Huey). On PostgreSQL
`monitoring_reading` is partitioned by month (migration 0002): partitions are named
`monitoring_reading_yYYYYmMM`, bounded by the months of the server's time zone, and a DEFAULT
partition catches anything else so an insert never fails for want of a partition.
"""

from __future__ import annotations

import datetime
import logging
import re

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

TABLE = "monitoring_reading"
DEFAULT_PARTITION = "monitoring_reading_default"
MONTHS_AHEAD = 2
PARTITION_NAME = re.compile(r"^monitoring_reading_y(\d{4})m(\d{2})$")


def month_start(day: datetime.datetime, offset: int = 0) -> datetime.datetime:
    """The start of the month `offset` months after `day`'s, in the server's time zone."""
    local = timezone.localtime(day) if timezone.is_aware(day) else day
    index = local.year * 12 + local.month - 1 + offset
    start = datetime.datetime(index // 12, index % 12 + 1, 1)
    return timezone.make_aware(start, timezone.get_default_timezone())


def partition_name(start: datetime.datetime) -> str:
    return f"{TABLE}_y{start.year:04d}m{start.month:02d}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def existing_partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def ensure_partitions(now: datetime.datetime | None = None, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the partitions of this month and the next `months_ahead`; return the ones created.
    Rows already caught by the DEFAULT partition for such a month move into the new partition."""
    if not is_partitioned():
        return []
    now = now or timezone.now()
    have = set(existing_partitions())
    created = []
    for offset in range(months_ahead + 1):
        start, end = month_start(now, offset), month_start(now, offset + 1)
        name = partition_name(start)
        if name not in have:
            _create_partition(name, start, end)
            created.append(name)
    if created:
        logger.info("created reading partitions %s", ", ".join(created))
    return created


def _literal(moment: datetime.datetime) -> str:
    return moment.isoformat()  # our own datetimes: digits, '-', ':', '+', 'T' only


def _create_partition(name: str, start: datetime.datetime, end: datetime.datetime) -> None:
    lo, hi = _literal(start), _literal(end)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"CREATE TEMP TABLE _moved ON COMMIT DROP AS WITH gone AS ("  # noqa: S608
            f"DELETE FROM {DEFAULT_PARTITION} WHERE ts >= '{lo}' AND ts < '{hi}' RETURNING *"
            ") SELECT * FROM gone"
        )
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ('{lo}') TO ('{hi}')")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM _moved")  # noqa: S608
        cursor.execute("DROP TABLE _moved")  # several partitions may be made in one transaction


def apply_retention(now: datetime.datetime | None = None) -> dict[str, int]:
    """Remove raw readings older than YINGJI_READING_RETENTION_DAYS (whole partitions on
    PostgreSQL once entirely older, row by row elsewhere) and rollups past their own retention.
    Returns what went: {"partitions": n, "readings": rows, "minute": rows, "hour": rows}."""
    now = now or timezone.now()
    raw_cutoff = now - datetime.timedelta(days=settings.MONITORING_RETENTION_DAYS)
    done = {"partitions": 0, "readings": 0, "minute": 0, "hour": 0}
    if is_partitioned():
        done["partitions"] = _drop_old_partitions(raw_cutoff)
        done["readings"] = _delete(f"DELETE FROM {DEFAULT_PARTITION} WHERE ts < %s", raw_cutoff)  # noqa: S608
    else:
        done["readings"] = _delete(f"DELETE FROM {TABLE} WHERE ts < %s", raw_cutoff)  # noqa: S608
    minute_cutoff = now - datetime.timedelta(days=settings.MONITORING_MINUTE_RETENTION_DAYS)
    hour_cutoff = now - datetime.timedelta(days=settings.MONITORING_HOUR_RETENTION_DAYS)
    done["minute"] = _delete("DELETE FROM monitoring_readingminute WHERE bucket < %s", minute_cutoff)
    done["hour"] = _delete("DELETE FROM monitoring_readinghour WHERE bucket < %s", hour_cutoff)
    logger.info("retention: %s", done)
    return done


def _delete(sql: str, cutoff: datetime.datetime) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [cutoff])
        return cursor.rowcount


def _drop_old_partitions(cutoff: datetime.datetime) -> int:
    dropped = 0
    for name in existing_partitions():
        match = PARTITION_NAME.match(name)
        if not match:
            continue
        start = timezone.make_aware(
            datetime.datetime(int(match[1]), int(match[2]), 1), timezone.get_default_timezone()
        )
        if month_start(start, 1) <= cutoff:  # every row of it is older than the cutoff
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # DROP refuses pending deferred FK checks
                cursor.execute(f"DROP TABLE {name}")
            dropped += 1
    return dropped
