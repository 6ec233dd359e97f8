"""Huey periodic tasks of the resources app (run by the consumer that `yingji serve` starts)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.resources import services


@db_periodic_task(crontab(hour="7", minute="15"))
def notify_stock_warnings():
    """Daily: each warehouse's division staff hear of stock below its minimum or expiring within 30
    days. Idempotent per warehouse and day (a re-run or a restart sends nothing twice)."""
    services.notify_stock_warnings()
