"""Core use cases: audit retention and session housekeeping."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone


def purge_audit_trail(now=None) -> int:
    """Delete audit records older than YINGJI_AUDIT_RETENTION_DAYS (never below 180; triggers enforce it).

    Goes through raw SQL: the model and its queryset refuse deletes on purpose.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog WHERE created_at < %s", [cutoff])
        return cursor.rowcount


def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
