"""Core use cases: audit retention and session housekeeping."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

# The law (网络安全法 art. 21) asks for at least six months; the database triggers enforce it too.
MIN_AUDIT_RETENTION_DAYS = 180


def purge_audit_trail(now=None) -> int:
    """Delete audit records older than YINGJI_AUDIT_RETENTION_DAYS (never below 180; triggers enforce it).

    Goes through raw SQL: the model and its queryset refuse deletes on purpose.
    """
    days = max(MIN_AUDIT_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM core_auditlog WHERE created_at < %s",
            [connection.ops.adapt_datetimefield_value(cutoff)],
        )
        return cursor.rowcount


def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def refresh_statistics(model) -> None:
    """ANALYZE a table after a bulk load, so the query planner picks the list indexes at once.

    PostgreSQL's autovacuum does this eventually (and not at all where it is off); SQLite never does.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
