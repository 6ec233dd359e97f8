"""Huey periodic tasks of disaster reports."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.incidents import services_reports


@db_periodic_task(crontab(minute="20"))
def heal_disaster_report_deadlines():
    """Hourly: every report still owed has its 初报/续报/核报 deadline on the escalation ladder."""
    services_reports.heal_deadlines()
