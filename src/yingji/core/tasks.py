"""Periodic housekeeping (run by the Huey consumer that `yingji serve` starts)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.core import services


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_old_audit_records():
    services.purge_audit_trail()


@db_periodic_task(crontab(minute="*/30"))
def clear_expired_sessions():
    services.clear_expired_sessions()
