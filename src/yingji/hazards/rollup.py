"""The monthly rollup of the daily hazard counters (`HazardStatMonth` from `HazardStat`).

Shared by `statistics.rebuild_statistics()` and the migration that creates the table
(`hazards/0004_hazardstatmonth`), which passes its historical models.
"""

from __future__ import annotations

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from yingji.hazards.models import STAT_COUNTERS, Grade, Source, month_column

BATCH = 5000


def columns() -> list[tuple[str, str, str, str]]:
    """(column, counter, grade, source) for every counter column of the monthly table."""
    return [
        (month_column(counter, grade, source), counter, grade, source)
        for counter in STAT_COUNTERS
        for grade in Grade.values
        for source in Source.values
    ]


def fill_monthly(daily_model, monthly_model) -> int:
    """Replace every monthly row by the sums of the daily rows, in one GROUP BY; return the row count."""
    grouped = (
        daily_model.objects.filter(grade__in=Grade.values, source__in=Source.values)
        .annotate(m=TruncMonth("day"))
        .values("m", "town", "industry")
        .annotate(
            **{
                column: Sum(counter, filter=Q(grade=grade, source=source))
                for column, counter, grade, source in columns()
            }
        )
        .order_by()
    )
    monthly_model.objects.all().delete()
    names = [column for column, *_rest in columns()]
    batch, count = [], 0
    for row in grouped.iterator(chunk_size=BATCH):
        batch.append(
            monthly_model(
                month=row["m"],
                town=row["town"],
                industry=row["industry"],
                **{name: row[name] or 0 for name in names},
            )
        )
        if len(batch) >= BATCH:
            monthly_model.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    monthly_model.objects.bulk_create(batch)
    return count + len(batch)
