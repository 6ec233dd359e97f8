"""Huey periodic tasks of the monitoring app (run by the consumer that `yingji serve` starts)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.monitoring import maintenance, services


@db_periodic_task(crontab(minute="*"))
def detect_offline_devices():
    """Every minute: devices silent for offline_after_periods × sampling period go offline, with one
    OFFLINE alarm each (idempotent: a device already offline is left alone)."""
    services.detect_offline()


@db_periodic_task(crontab(minute="23", hour="2"))
def keep_readings_tidy():
    """Daily: the coming months' partitions exist (PostgreSQL) and readings and rollups older than
    their retention settings are removed."""
    maintenance.ensure_partitions()
    maintenance.apply_retention()


from yingji.monitoring import tasks_supervision  # noqa: E402, F401  (非现场执法: roll-call closing, dust results)
