"""The counters behind coverage and the enforcement statistics.

`refresh_enterprise(enterprise_id)` recounts one enterprise's figures per month from the records
themselves (a few indexed queries on `enterprise_id`): finished inspections (by `finished_at`) and their
findings (and major ones), rectification orders (by `issued_at`), penalties decided (by `decided_at`;
count and fines) and suspensions (by `started_at`). It writes the differences into
`EnterpriseInspectionMonth`, adds them to `InspectionStatMonth` (per month, town and industry) and
rewrites the enterprise's `EnterpriseInspectionYear` bitmasks. It runs from signals on those models'
saves and deletes (see models_plans.py), inside the caller's transaction, so the counters change with
the record or not at all. `rebuild_counters()` recomputes every table from scratch (after a bulk load,
or to repair); `recount()` / `stored()` give both sides for comparison.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from yingji.inspections.models_checklists import Finding, Inspection
from yingji.inspections.models_enforcement import PenaltyCase, RectificationOrder, Suspension
from yingji.inspections.models_plans import (
    EnterpriseInspectionMonth,
    EnterpriseInspectionYear,
    InspectionStatMonth,
)
from yingji.registry.models import Enterprise

BATCH = 5000
# The counter columns, in the order of a `Counts` tuple.
COLUMNS = (
    "inspections",
    "findings",
    "major_findings",
    "orders",
    "penalties",
    "penalty_amount",
    "suspensions",
)
Counts = tuple  # one value per column
ZERO: Counts = (0, 0, 0, 0, 0, Decimal(0), 0)
DECIDED = ("decided", "closed")


def _one(column: str, value=1) -> Counts:
    return tuple(value if c == column else z for c, z in zip(COLUMNS, ZERO, strict=True))


INSPECTION, FINDING, MAJOR, ORDER, SUSPENSION = (
    _one("inspections"),
    _one("findings"),
    tuple(1 if c in ("findings", "major_findings") else z for c, z in zip(COLUMNS, ZERO, strict=True)),
    _one("orders"),
    _one("suspensions"),
)


def _penalty(amount) -> Counts:
    return tuple(
        1 if c == "penalties" else (Decimal(amount or 0) if c == "penalty_amount" else z)
        for c, z in zip(COLUMNS, ZERO, strict=True)
    )


def town_of(division_code: str) -> str:
    return division_code[:9] + "000"


def month_of(moment: datetime.datetime) -> datetime.date:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return datetime.date(local.year, local.month, 1)


def _add(a: Counts, b: Counts, sign: int = 1) -> Counts:
    return tuple(x + sign * y for x, y in zip(a, b, strict=True))


def _is_zero(counts: Counts) -> bool:
    return not any(counts)


def _values(row) -> Counts:
    return tuple(Decimal(getattr(row, c)) if c == "penalty_amount" else getattr(row, c) for c in COLUMNS)


def _records(enterprise_filter: dict):
    """(enterprise id, moment, counts) of every counted record matching the filter (on enterprise)."""
    inspections = Inspection.objects.filter(status="finished", finished_at__isnull=False, **enterprise_filter)
    yield from (
        (e, at, INSPECTION)
        for e, at in inspections.values_list("enterprise_id", "finished_at").iterator(chunk_size=BATCH)
    )
    findings = Finding.objects.filter(
        inspection__status="finished",
        inspection__finished_at__isnull=False,
        **{f"inspection__{k}": v for k, v in enterprise_filter.items()},
    )
    yield from (
        (e, at, MAJOR if major else FINDING)
        for e, at, major in findings.values_list(
            "inspection__enterprise_id", "inspection__finished_at", "is_major"
        ).iterator(chunk_size=BATCH)
    )
    orders = RectificationOrder.objects.filter(**enterprise_filter)
    yield from (
        (e, at, ORDER)
        for e, at in orders.values_list("enterprise_id", "issued_at").iterator(chunk_size=BATCH)
    )
    penalties = PenaltyCase.objects.filter(status__in=DECIDED, decided_at__isnull=False, **enterprise_filter)
    yield from (
        (e, at, _penalty(amount))
        for e, at, amount in penalties.values_list("enterprise_id", "decided_at", "amount").iterator(
            chunk_size=BATCH
        )
    )
    suspensions = Suspension.objects.filter(**enterprise_filter)
    yield from (
        (e, at, SUSPENSION)
        for e, at in suspensions.values_list("enterprise_id", "started_at").iterator(chunk_size=BATCH)
    )


def _bump(month: datetime.date, town: str, industry: str, delta: Counts) -> None:
    if _is_zero(delta):
        return
    row, _created = InspectionStatMonth.objects.get_or_create(month=month, town=town, industry=industry)
    InspectionStatMonth.objects.filter(pk=row.pk).update(
        **{c: F(c) + d for c, d in zip(COLUMNS, delta, strict=True) if d}
    )


def refresh_for_inspection(inspection_id: int) -> None:
    """After a finding changed: only a finished inspection's findings count (an inspection that stops
    being finished refreshes its enterprise itself)."""
    facts = Inspection.objects.filter(pk=inspection_id).values_list("enterprise_id", "status").first()
    if facts is not None and facts[1] == "finished":
        refresh_enterprise(facts[0])


def refresh_enterprise(enterprise_id: int) -> None:
    """Bring the counters of one enterprise in line with its records (see the module)."""
    facts = Enterprise.objects.filter(pk=enterprise_id).values_list("division_id", "industry").first()
    if facts is None:
        return
    division, industry = facts[0], (facts[1] or "")[:2]
    with transaction.atomic():
        fresh: dict[datetime.date, Counts] = {}
        inspected: set[datetime.date] = set()
        for _e, at, counts in _records({"enterprise_id": enterprise_id}):
            month = month_of(at)
            fresh[month] = _add(fresh.get(month, ZERO), counts)
            if counts is INSPECTION:
                inspected.add(month)
        stored = {
            row.month: row for row in EnterpriseInspectionMonth.objects.filter(enterprise_id=enterprise_id)
        }
        for month in set(fresh) | set(stored):
            new = fresh.get(month, ZERO)
            row = stored.get(month)
            old = _values(row) if row else ZERO
            if row is not None and (row.division, row.industry) != (division, industry):
                # The enterprise moved (town or industry): its old counts leave the old key.
                _bump(month, town_of(row.division), row.industry, _add(ZERO, old, -1))
                old = ZERO
            _bump(month, town_of(division), industry, _add(new, old, -1))
            if _is_zero(new):
                if row is not None:
                    row.delete()
            elif row is None:
                EnterpriseInspectionMonth.objects.create(
                    enterprise_id=enterprise_id,
                    month=month,
                    division=division,
                    industry=industry,
                    **dict(zip(COLUMNS, new, strict=True)),
                )
            elif (*_values(row), row.division, row.industry) != (*new, division, industry):
                for column, value in zip(COLUMNS, new, strict=True):
                    setattr(row, column, value)
                row.division, row.industry = division, industry
                row.save()
        masks: dict[int, int] = defaultdict(int)
        for month in inspected:
            masks[month.year] |= 1 << (month.month - 1)
        years = {y.year: y for y in EnterpriseInspectionYear.objects.filter(enterprise_id=enterprise_id)}
        town = town_of(division)
        for year in set(masks) | set(years):
            mask, year_row = masks.get(year, 0), years.get(year)
            if not mask:
                if year_row is not None:
                    year_row.delete()
            elif year_row is None:
                EnterpriseInspectionYear.objects.create(
                    enterprise_id=enterprise_id, year=year, months=mask, town=town, industry=industry
                )
            elif (year_row.months, year_row.town, year_row.industry) != (mask, town, industry):
                year_row.months, year_row.town, year_row.industry = mask, town, industry
                year_row.save(update_fields=["months", "town", "industry"])


# -- from scratch -----------------------------------------------------------------------------------


def recount() -> tuple[dict, dict, dict]:
    """(enterprise months, stat months, years) computed from the records:
    {(enterprise_id, month): counts}, {(month, town, industry): counts}, {(enterprise_id, year): mask}."""
    facts = {
        pk: (d, (i or "")[:2]) for pk, d, i in Enterprise.objects.values_list("id", "division_id", "industry")
    }
    ent: dict[tuple[int, datetime.date], Counts] = {}
    years: dict[tuple[int, int], int] = defaultdict(int)
    for enterprise_id, at, counts in _records({}):
        month = month_of(at)
        key = (enterprise_id, month)
        ent[key] = _add(ent.get(key, ZERO), counts)
        if counts is INSPECTION:
            years[(enterprise_id, month.year)] |= 1 << (month.month - 1)
    stats: dict[tuple[datetime.date, str, str], Counts] = {}
    for (enterprise_id, month), counts in ent.items():
        division, industry = facts[enterprise_id]
        key = (month, town_of(division), industry)
        stats[key] = _add(stats.get(key, ZERO), counts)
    return ent, stats, dict(years)


def stored() -> tuple[dict, dict, dict]:
    """The same three dicts read from the counter tables (rows of zeros left out)."""
    ent = {(r.enterprise_id, r.month): _values(r) for r in EnterpriseInspectionMonth.objects.all()}
    stats = {
        (r.month, r.town, r.industry): _values(r)
        for r in InspectionStatMonth.objects.all()
        if not _is_zero(_values(r))
    }
    years = {(r.enterprise_id, r.year): r.months for r in EnterpriseInspectionYear.objects.all() if r.months}
    # The town and industry kept on the yearly rows are the enterprise's.
    facts = {
        pk: (town_of(d), (i or "")[:2])
        for pk, d, i in Enterprise.objects.values_list("id", "division_id", "industry")
    }
    for r in EnterpriseInspectionYear.objects.all():
        if (r.town, r.industry) != facts.get(r.enterprise_id):
            years[(r.enterprise_id, r.year)] = ("stale", r.town, r.industry)
    return ent, stats, years


def rebuild_counters() -> int:
    """Replace the three counter tables by `recount()`; return the number of enterprise-month rows."""
    ent, stats, years = recount()
    facts = {
        pk: (d, (i or "")[:2]) for pk, d, i in Enterprise.objects.values_list("id", "division_id", "industry")
    }
    with transaction.atomic():
        EnterpriseInspectionMonth.objects.all().delete()
        InspectionStatMonth.objects.all().delete()
        EnterpriseInspectionYear.objects.all().delete()
        EnterpriseInspectionMonth.objects.bulk_create(
            (
                EnterpriseInspectionMonth(
                    enterprise_id=e,
                    month=m,
                    division=facts[e][0],
                    industry=facts[e][1],
                    **dict(zip(COLUMNS, c, strict=True)),
                )
                for (e, m), c in ent.items()
            ),
            batch_size=BATCH,
        )
        InspectionStatMonth.objects.bulk_create(
            (
                InspectionStatMonth(month=m, town=t, industry=i, **dict(zip(COLUMNS, c, strict=True)))
                for (m, t, i), c in stats.items()
            ),
            batch_size=BATCH,
        )
        EnterpriseInspectionYear.objects.bulk_create(
            (
                EnterpriseInspectionYear(
                    enterprise_id=e, year=y, months=mask, town=town_of(facts[e][0]), industry=facts[e][1]
                )
                for (e, y), mask in years.items()
            ),
            batch_size=BATCH,
        )
    return len(ent)
