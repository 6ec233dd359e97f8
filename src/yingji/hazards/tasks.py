"""Huey periodic tasks of the hazards app (run by the consumer that `yingji serve` starts)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.hazards import services_selfcheck


@db_periodic_task(crontab(minute="5"))
def run_self_check_schedule():
    """Hourly (both steps are idempotent, so a missed run or a restart loses nothing): overdue
    self-check tasks become missed, then every active plan gets the task of its current period."""
    services_selfcheck.mark_missed()
    services_selfcheck.schedule_tasks()
