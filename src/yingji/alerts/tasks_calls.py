"""Huey periodic tasks of 叫应: the ladder every minute, the call-list review reminder weekly."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from yingji.alerts import services_calls


@db_periodic_task(crontab(minute="*"))
@lock_task("alerts-process-due-calls")
def process_due_calls():
    """Every minute: run each due ladder step once (claims are conditional UPDATEs; see services)."""
    services_calls.process_due_calls()


@db_periodic_task(crontab(day_of_week="1", hour="8", minute="0"))
def remind_call_list_reviews():
    """Mondays 08:00: call lists not reviewed for a year are reported to their division's editors."""
    services_calls.remind_reviews()
