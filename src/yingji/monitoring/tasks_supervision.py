"""Huey periodic tasks of online supervision (imported at the end of monitoring/tasks.py so Huey's
`tasks.py` discovery registers them)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from yingji.monitoring import services_supervision


@db_periodic_task(crontab(minute="*"))
@lock_task("monitoring-close-roll-calls")
def close_due_roll_calls():
    """Every minute: roll-calls past their closing time close; their pending targets get "no answer"."""
    services_supervision.close_due_roll_calls()


@db_periodic_task(crontab(minute="5"))
@lock_task("monitoring-dust-day")
def compute_dust_results():
    """Hourly: today's finished cleaning windows; after midnight, the whole of yesterday (idempotent)."""
    now = timezone.now()
    today = timezone.localdate(now)
    services_supervision.compute_dust_day(today, now=now)
    if timezone.localtime(now).hour < 2:
        services_supervision.compute_dust_day(today - datetime.timedelta(days=1), now=now)
