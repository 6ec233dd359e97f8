"""Huey periodic tasks of the plans app."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yingji.plans import services


@db_periodic_task(crontab(hour="8", minute="15"))
def remind_plan_reviews():
    """Daily: remind the people of plans whose three-yearly review is near or overdue (the core
    deadline on each plan escalates on its own ladder)."""
    services.send_review_reminders()
