"""Enforcement statistics (like "抽查检查企业4393家, 排查重大隐患458项, 行政处罚675.95万元, 停产停业整顿
企业12家") for a period (a year, a quarter or a month), by town, industry (department) or month.

- enterprises in scope, enterprises inspected and the coverage rate: coverage.py (the per-enterprise
  yearly month bitmasks);
- inspections (finished in the period), findings (hidden dangers found) and major findings,
  rectification orders (issued in the period), penalties (decided in the period: count and amount) and
  suspensions (停产停业整顿 started in the period): the monthly counters `InspectionStatMonth` (per town
  and industry), or `EnterpriseInspectionMonth` below a town (a village), kept by rollup_plans;
- roll-call answer rate (answered or answered late / called, of roll-calls started in the period) and
  dust check-in rate (windows done on time or late / all windows of the period's days): from the
  supervision records of the monitoring app.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import divisions
from yingji.inspections import coverage as coverage_module
from yingji.inspections import rollup_plans, rules_plans
from yingji.inspections.models_plans import (
    EnterpriseInspectionMonth,
    EnterpriseInspectionYear,
    InspectionStatMonth,
)

GROUP_BY = {"town": _("Town"), "industry": _("Industry (department)"), "month": _("Month")}
COUNTERS = (
    "enterprises",
    "enterprises_inspected",
    "inspections",
    "findings",
    "major_findings",
    "orders",
    "penalties",
    "penalty_amount",
    "suspensions",
    "rollcall_targets",
    "rollcall_answered",
    "checkin_windows",
    "checkin_done",
)


@dataclass
class StatRow:
    key: str
    label: str = ""
    enterprises: int = 0
    enterprises_inspected: int = 0
    inspections: int = 0
    findings: int = 0
    major_findings: int = 0
    orders: int = 0
    penalties: int = 0
    penalty_amount: Decimal = field(default_factory=Decimal)
    suspensions: int = 0
    rollcall_targets: int = 0
    rollcall_answered: int = 0
    checkin_windows: int = 0
    checkin_done: int = 0

    @property
    def coverage_rate(self) -> float | None:
        return _percent(self.enterprises_inspected, self.enterprises)

    @property
    def rollcall_rate(self) -> float | None:
        return _percent(self.rollcall_answered, self.rollcall_targets)

    @property
    def checkin_rate(self) -> float | None:
        return _percent(self.checkin_done, self.checkin_windows)

    def add(self, other: StatRow) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            **{name: getattr(self, name) for name in COUNTERS if name != "penalty_amount"},
            "penalty_amount": str(self.penalty_amount.quantize(Decimal("0.01"))),
            "coverage_rate": self.coverage_rate,
            "rollcall_rate": self.rollcall_rate,
            "checkin_rate": self.checkin_rate,
        }


@dataclass
class Statistics:
    period: rules_plans.Period
    group_by: str
    rows: list[StatRow]
    total: StatRow
    supervision: bool  # whether the roll-call and check-in figures are available


def _percent(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _prefix(user, filters: dict) -> str | None:
    return coverage_module.scope_prefix(user, filters)


def _month_case(path: str, period: rules_plans.Period):
    """The month ("YYYY-MM") of a moment as comparisons with each month's first local midnight."""
    whens = [
        When(**{f"{path}__gte": _start_of(m)}, then=Value(m.strftime("%Y-%m")))
        for m in reversed(period.months())
    ]
    return Case(*whens, default=Value(period.months()[0].strftime("%Y-%m")), output_field=CharField())


def _live_key(group_by: str, period: rules_plans.Period, moment: str, industry_path: str):
    if group_by == "town":
        return coverage_module.town_expr()
    if group_by == "industry":
        return Substr(industry_path, 1, 2)
    return _month_case(moment, period)


def _live(queryset, user, filters: dict, *, moment: str, period, group_by: str, industry_path: str, **sums):
    """{key: {name: value}} of a scoped model with `division` and `enterprise` FKs, in the period."""
    first, after = _start_of(period.first_day), _start_of(period.last_day + datetime.timedelta(days=1))
    queryset = queryset.for_user(user).filter(**{f"{moment}__gte": first, f"{moment}__lt": after})
    if filters.get("division"):
        code = filters["division"]
        queryset = queryset.filter(
            division__code__startswith=divisions.subtree_prefix(code, divisions.level_of(code))
        )
    if filters.get("industry"):
        queryset = queryset.filter(**{f"{industry_path}__startswith": filters["industry"]})
    rows = (
        queryset.annotate(k=_live_key(group_by, period, moment, industry_path))
        .values("k")
        .annotate(**sums)
        .order_by()
    )
    return {row["k"] or "": row for row in rows}


def statistics(
    user, *, period: rules_plans.Period, group_by: str = "town", filters: dict | None = None
) -> Statistics:
    if group_by not in GROUP_BY:
        raise ValueError(group_by)
    filters = filters or {}
    rows: dict[str, StatRow] = {}

    def row(key) -> StatRow:
        return rows.setdefault(key or "", StatRow(key or ""))

    inspected_in_period = 0
    if group_by == "month":
        for m in period.months():
            row(m.strftime("%Y-%m"))
    # Enterprises in scope and inspected.
    if group_by == "month":
        scope = coverage_module.in_scope(user, filters)
        total_enterprises = scope.count()
        bits = {m.strftime("%Y-%m"): Count("id", filter=Q(**{f"b{m.month}__gt": 0})) for m in period.months()}
        bits["period"] = Count("id", filter=Q(b0__gt=0))
        years = coverage_module.inspected_years(user, period, filters)
        if years is None:
            years = EnterpriseInspectionYear.objects.filter(
                year=period.year, enterprise__in=scope.values("id")
            )
        years = years.annotate(
            b0=F("months").bitand(period.mask),
            **{f"b{m.month}": F("months").bitand(1 << (m.month - 1)) for m in period.months()},
        )
        counted = years.aggregate(**bits)
        inspected_in_period = counted.pop("period") or 0
        for key, n in counted.items():
            row(key).enterprises = total_enterprises
            row(key).enterprises_inspected = n or 0
    else:
        for c in coverage_module.coverage(user, period=period, group_by=group_by, filters=filters).rows:
            r = row(c.key)
            r.enterprises, r.enterprises_inspected = c.enterprises, c.inspected
    # Inspections, findings, orders, penalties and suspensions from the monthly counters.
    for key, counts in _counter_sums(user, period, group_by, filters).items():
        r = row(key)
        for column, value in counts.items():
            setattr(r, column, value)
    supervision = _supervision(user, period, group_by, filters, row)
    ordered = [rows[k] for k in sorted(rows)]
    labels = coverage_module.labels_for(group_by, [r.key for r in ordered])
    total = StatRow("total", label=str(_("Total")))
    for r in ordered:
        r.label = labels.get(r.key, r.key) or str(_("None"))
        total.add(r)
    if group_by == "month":
        total.enterprises = ordered[0].enterprises if ordered else 0
        total.enterprises_inspected = inspected_in_period
    return Statistics(period=period, group_by=group_by, rows=ordered, total=total, supervision=supervision)


def _counter_sums(user, period, group_by: str, filters: dict) -> dict[str, dict]:
    """{key: {column: sum}} from the monthly counters per town, or per enterprise below a town."""
    prefix = _prefix(user, filters)
    if prefix is None:
        return {}
    months = {"month__gte": period.first_day, "month__lte": period.months()[-1]}
    if getattr(user, "is_enterprise_user", False) or len(prefix) > 9:
        queryset = EnterpriseInspectionMonth.objects.filter(**months)
        if getattr(user, "is_enterprise_user", False):
            queryset = queryset.filter(enterprise_id=user.enterprise_id)
        else:
            queryset = queryset.filter(division__startswith=prefix)
        town = coverage_module.town_expr("division")
    else:
        queryset = InspectionStatMonth.objects.filter(**months)
        if prefix:
            queryset = queryset.filter(Exact(Substr("town", 1, len(prefix)), Value(prefix)))
        town = F("town")
    if filters.get("industry"):
        queryset = queryset.filter(industry=filters["industry"][:2])
    key = {"town": town, "industry": F("industry"), "month": F("month")}[group_by]
    result: dict[str, dict] = {}
    sums = {column: Sum(column) for column in rollup_plans.COLUMNS}
    for values in queryset.annotate(k=key).values("k").annotate(**sums).order_by():
        k = values["k"]
        k = k.strftime("%Y-%m") if isinstance(k, datetime.date) else (k or "")
        totals = result.setdefault(k, dict(zip(rollup_plans.COLUMNS, rollup_plans.ZERO, strict=True)))
        for column in rollup_plans.COLUMNS:
            totals[column] += values[column] or 0
    return result


def _supervision(user, period, group_by: str, filters: dict, row) -> bool:
    """Add the roll-call and check-in figures when the monitoring app has them; False when not."""
    try:
        from yingji.monitoring.models_supervision import DustDayResult, RollCallTarget
    except ImportError:  # pragma: no cover - the supervision part is not installed
        return False
    common = {"period": period, "group_by": group_by, "industry_path": "enterprise__industry"}
    answered = Q(status__in=["answered", "late"])
    targets = RollCallTarget.objects.exclude(status="pending")
    for key, values in _live(
        targets,
        user,
        filters,
        moment="roll_call__started_at",
        n=Count("id"),
        ok=Count("id", filter=answered),
        **common,
    ).items():
        row(key).rollcall_targets = values["n"]
        row(key).rollcall_answered = values["ok"]
    first, last = period.first_day, period.last_day
    windows = DustDayResult.objects.for_user(user).filter(day__gte=first, day__lte=last)
    if filters.get("division"):
        code = filters["division"]
        windows = windows.filter(
            division__code__startswith=divisions.subtree_prefix(code, divisions.level_of(code))
        )
    if filters.get("industry"):
        windows = windows.filter(enterprise__industry__startswith=filters["industry"])
    if group_by == "town":
        key = coverage_module.town_expr()
    elif group_by == "industry":
        key = Substr("enterprise__industry", 1, 2)
    else:
        key = Case(
            *[When(day__gte=m, then=Value(m.strftime("%Y-%m"))) for m in reversed(period.months())],
            default=Value(period.months()[0].strftime("%Y-%m")),
            output_field=CharField(),
        )
    done = Case(
        When(status__in=["done", "late"], then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    for values in windows.annotate(k=key, d=done).values("k").annotate(n=Count("id"), ok=Sum("d")).order_by():
        r = row(values["k"] or "")
        r.checkin_windows = values["n"]
        r.checkin_done = values["ok"] or 0
    return True
