"""Huey periodic tasks of the alerts app."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.alerts import services


@db_periodic_task(crontab(minute="*"))
def expire_warnings():
    """Every minute: live warnings past their `expires` become expired (idempotent)."""
    services.expire_due()


from yingji.alerts.tasks_calls import *  # noqa: E402, F401, F403 - 叫应 periodic tasks
