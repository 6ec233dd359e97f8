"""Periodic housekeeping (run by the Huey consumer that `yingji serve` starts)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.core import services
from yingji.core.escalation import services as escalation


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_old_audit_records():
    services.purge_audit_trail()


@db_periodic_task(crontab(minute="*/30"))
def clear_expired_sessions():
    services.clear_expired_sessions()


@db_periodic_task(crontab())
def run_escalation_pass():
    """Every minute: fire the escalation steps that are due (from stored timestamps; restart-safe)."""
    escalation.run_escalation_pass(handle=False)


@db_periodic_task(crontab())
def process_escalation_events():
    """Every minute: carry out the fired steps still pending (messages, timeline rows), each once."""
    escalation.process_escalation_events()
