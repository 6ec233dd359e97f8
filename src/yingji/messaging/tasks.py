"""Huey tasks: deliver right after `send` commits; every minute, retry due deliveries and flush digests."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yingji.messaging import services


@db_task()
def deliver_messages(message_ids):
    services.process_deliveries(message_ids)


@db_periodic_task(crontab(minute="*"))
def process_due_deliveries():
    services.process_due_deliveries()
