"""Huey periodic tasks of the registry app (run by the consumer that `yingji serve` starts)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.registry import services_custodians


@db_periodic_task(crontab(minute="7"))
def run_custodian_duties():
    """Hourly (both steps are idempotent, so a missed run or a restart loses nothing): late custodian
    duty tasks past their grace become missed, then every active duty gets the task of each period
    that has opened."""
    services_custodians.run_schedule()
