"""The hazard ledger (挂账销账) and the statistics: read-only queries, plus `rebuild_statistics()`.

Statistics read the daily `HazardStat` counters (a cohort per report day: "of the hazards found in
March, how many are closed"), kept by the services in the same transaction as each change, and
their monthly rollup `HazardStatMonth` (per month, town and industry, the grades and sources as
columns): a period reads its whole calendar months from the rollup and only the days of the partial
months at its two edges from the daily counters. What is
"overdue now" depends on the clock, so it is counted live from the open hazards. An enterprise user,
or anyone looking below a town (a village), gets the same figures computed from the hazards themselves:
the counters are kept per town, and those sets are small.

The ledger is the list of what is still open (status other than closed): counts by town, industry and
age, and the items themselves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.db.models import Case, CharField, Count, DurationField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Concat, Substr, TruncDate
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import divisions
from yingji.core.filters import DivisionCodeField
from yingji.core.models import Division
from yingji.hazards import rollup, rules
from yingji.hazards.models import (
    STAT_COUNTERS,
    Grade,
    Hazard,
    HazardStat,
    HazardStatMonth,
    Source,
    Status,
)
from yingji.registry import industries

GROUP_BY = ("month", "town", "industry", "source", "grade")
GROUP_LABELS = {
    "month": _("Month"),
    "town": _("Town"),
    "industry": _("Industry"),
    "source": _("Source"),
    "grade": _("Grade"),
}
DEFAULT_MONTHS = 12
MAX_DAYS = 3660  # ten years: a longer period is a typing error

# Age of an open item: days since it was reported. (key, label, first day, last day or None)
AGE_BUCKETS = (
    ("0-30", _("≤ 30 days"), 0, 30),
    ("31-90", _("31–90 days"), 31, 90),
    ("91-180", _("91–180 days"), 91, 180),
    ("181+", _("> 180 days"), 181, None),
)
AGE_KEYS = [key for key, *_rest in AGE_BUCKETS]


def _start_of(day: datetime.date) -> datetime.datetime:
    """Local midnight of `day`, aware (a range on the indexed column rather than on its date)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# -- parameters -------------------------------------------------------------------------------------


class _Filters(forms.Form):
    division = DivisionCodeField(label=_("Town / division"), required=False)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=4)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All")), *Source.choices])
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=[("", _("All")), *Grade.choices])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].widget = forms.Select(choices=[("", _("All")), *industries.CHOICES])
        if user is not None:
            from yingji.core.filters import division_choices

            choices = division_choices(user)
            if choices is not None:
                self.fields["division"].widget = forms.Select(choices=[("", _("All")), *choices])

    def clean_industry(self):
        value = self.cleaned_data["industry"].strip()
        if value and industries.resolve(value) is None:
            raise forms.ValidationError(_("Unknown industry code."), code="invalid_industry")
        return industries.resolve(value) or "" if value else ""

    def filters(self) -> dict:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k in ("division", "industry", "source", "grade") and v
        }


class StatisticsForm(_Filters):
    """The statistics page's and API's parameters: the period, the grouping and the filters."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=list(GROUP_LABELS.items()))

    field_order = ["start", "end", "group_by", "division", "industry", "source", "grade"]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or _months_back(end, DEFAULT_MONTHS - 1)
        if "start" in self.errors or "end" in self.errors:
            return data
        if start > end:
            self.add_error(
                "end", forms.ValidationError(_("The end must not be before the start."), code="range")
            )
        elif (end - start).days > MAX_DAYS:
            self.add_error("start", forms.ValidationError(_("The period is too long."), code="range"))
        data["start"], data["end"] = start, end
        data["group_by"] = data.get("group_by") or "month"
        return data


class LedgerForm(_Filters):
    """The ledger's parameters: the filters, an age bucket and "overdue only"."""

    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[("", _("All")), *[(k, label) for k, label, *_r in AGE_BUCKETS]],
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"), required=False, choices=[("", _("All")), ("yes", _("Yes"))]
    )


def _months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


# -- labels -----------------------------------------------------------------------------------------


def town_names(codes) -> dict[str, str]:
    codes = set(codes)
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def industry_label(code: str) -> str:
    if not code:
        return str(_("No industry"))
    name = industries.NAMES.get(code[:2])
    return f"{code} {name}" if name else code


def _labels(group_by: str, keys) -> dict[str, str]:
    if group_by == "town":
        names = town_names(keys)
        return {k: names.get(k, k) for k in keys}
    if group_by == "industry":
        return {k: industry_label(k) for k in keys}
    if group_by == "source":
        return {k: str(Source(k).label) if k in Source.values else k for k in keys}
    if group_by == "grade":
        return {k: str(Grade(k).label) if k in Grade.values else k for k in keys}
    return {k: k for k in keys}


# -- statistics -------------------------------------------------------------------------------------


@dataclass
class StatRow:
    key: str
    label: str = ""
    found: int = 0
    closed: int = 0
    closed_late: int = 0
    close_days: int = 0
    overdue_now: int = 0

    @property
    def closure_rate(self) -> float | None:
        return _percent(self.closed, self.found)

    @property
    def overdue_rate(self) -> float | None:
        return _percent(self.closed_late + self.overdue_now, self.found)

    @property
    def avg_days_to_close(self) -> float | None:
        return round(self.close_days / self.closed, 1) if self.closed else None

    def add(self, other: StatRow) -> None:
        for name in ("found", "closed", "closed_late", "close_days", "overdue_now"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "found": self.found,
            "closed": self.closed,
            "closure_rate": self.closure_rate,
            "overdue_now": self.overdue_now,
            "closed_late": self.closed_late,
            "overdue_rate": self.overdue_rate,
            "avg_days_to_close": self.avg_days_to_close,
        }


@dataclass
class Summary:
    group_by: str
    start: datetime.date
    end: datetime.date
    rows: list[StatRow]
    total: StatRow = field(default_factory=lambda: StatRow("total"))


def _town_expr():
    return Concat(Substr("division_id", 1, 9), Value("000"), output_field=CharField())


def _month_of_report(start: datetime.date, end: datetime.date):
    """The report month ("YYYY-MM") as comparisons with each month's first local midnight: plain SQL
    (TruncMonth with a time zone is a Python function per row on SQLite)."""
    whens = []
    for month in reversed(_months(start, end)):
        first = _start_of(datetime.date(int(month[:4]), int(month[5:]), 1))
        whens.append(When(reported_at__gte=first, then=Value(month)))
    return Case(*whens, default=Value(_months(start, end)[0]), output_field=CharField())


def _hazard_key(group_by: str, start: datetime.date, end: datetime.date):
    if group_by == "month":
        return _month_of_report(start, end)
    return {
        "town": _town_expr(),
        "industry": F("industry"),
        "source": F("source"),
        "grade": F("grade"),
    }[group_by]


def _stat_key(group_by: str):
    # By day, folded into months in Python: grouping on a column needs no per-row function.
    return F("day") if group_by == "month" else F(group_by)


def _key_text(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m")
    return value or ""


def _filter_hazards(queryset, filters: dict):
    if filters.get("division"):
        code = filters["division"]
        queryset = queryset.filter(
            division__code__startswith=divisions.subtree_prefix(code, divisions.level_of(code))
        )
    for name in ("industry", "source", "grade"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    return queryset


def _counted_live(user, filters: dict) -> bool:
    """Whether figures come from the hazards themselves (enterprise users, villages) or the counters."""
    if getattr(user, "is_enterprise_user", False):
        return True
    prefix = getattr(user, "scope_prefix", None) or ""
    code = filters.get("division")
    if code:
        prefix = max(prefix, divisions.subtree_prefix(code, divisions.level_of(code)), key=len)
    return len(prefix) > 9


def _hazard_counters(queryset, key) -> dict:
    """key value -> counters, in one GROUP BY over hazards (as the services would have counted them)."""
    closed = Q(status=Status.CLOSED)
    rows = (
        queryset.annotate(k=key)
        .values("k")
        .annotate(
            found=Count("id"),
            closed=Count("id", filter=closed),
            closed_late=Count("id", filter=closed & Q(submitted_at__gt=F("due_at"))),
            close_span=Sum(
                TruncDate("closed_at") - TruncDate("reported_at"), output_field=DurationField(), filter=closed
            ),
        )
        .order_by()
    )
    return {
        row["k"]: (row["found"], row["closed"], row["closed_late"], _days(row["close_span"])) for row in rows
    }


def _days(span) -> int:
    if span is None:
        return 0
    if isinstance(span, datetime.timedelta):
        return max(span.days, 0)
    return max(int(span), 0)


def summary(
    user,
    *,
    start: datetime.date,
    end: datetime.date,
    group_by: str = "month",
    filters: dict | None = None,
    now: datetime.datetime | None = None,
) -> Summary:
    """Found, closed, closure rate, overdue now, closed late, overdue rate and average days to close
    of the hazards reported from `start` to `end` (local days, inclusive), one row per group."""
    if group_by not in GROUP_BY:
        raise ValueError(f"unknown group_by {group_by!r}")
    filters = filters or {}
    now = now or timezone.now()
    first, after = _start_of(start), _start_of(end + datetime.timedelta(days=1))
    hazards = _filter_hazards(Hazard.objects.for_user(user), filters).filter(
        reported_at__gte=first, reported_at__lt=after
    )
    rows: dict[str, StatRow] = {}

    def row(key) -> StatRow:
        text = _key_text(key)
        return rows.setdefault(text, StatRow(text))

    prefix = getattr(user, "scope_prefix", None)
    if prefix is not None or getattr(user, "is_enterprise_user", False):
        if _counted_live(user, filters):
            key = _hazard_key(group_by, start, end)
            for k, (found, closed, late, days) in _hazard_counters(hazards, key).items():
                r = row(k)
                r.found, r.closed, r.closed_late, r.close_days = found, closed, late, days
        else:
            for key, found, closed, late, days in _counter_rows(prefix or "", start, end, group_by, filters):
                r = row(key)  # several days (and months) fall into one row
                r.found += found
                r.closed += closed
                r.closed_late += late
                r.close_days += days
        # The period is a column of the result, not a condition: the few overdue hazards are found
        # through the status index, rather than every hazard of the period through the date index.
        in_period = Case(
            When(Q(reported_at__gte=first, reported_at__lt=after), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        overdue = (
            _filter_hazards(Hazard.objects.for_user(user), filters)
            .filter(rules.overdue_q(now))
            .annotate(k=_hazard_key(group_by, start, end), p=in_period)
            .values("k", "p")
            .annotate(n=Count("id"))
            .order_by()
        )
        for values in overdue:
            if values["p"]:
                row(values["k"]).overdue_now = values["n"]
    if group_by == "month":
        for month in _months(start, end):
            rows.setdefault(month, StatRow(month))
    ordered = [rows[k] for k in sorted(rows, key=_sort_key(group_by))]
    labels = _labels(group_by, [r.key for r in ordered])
    total = StatRow("total", label=str(_("Total")))
    for r in ordered:
        r.label = labels.get(r.key, r.key)
        total.add(r)
    return Summary(group_by=group_by, start=start, end=end, rows=ordered, total=total)


def _town_q(prefix: str) -> Q:
    """Counter rows of the towns under `prefix` (at most 9 digits), as an equality or a range: both
    databases use an index for these, SQLite none for LIKE."""
    if len(prefix) >= 9:
        return Q(town=prefix[:9] + "000")
    # A county or wider: nearly every row matches, so the condition must not steer the planner away
    # from the covering day index (an expression on the column is not indexable).
    return Q(Exact(Substr("town", 1, len(prefix)), Value(prefix)))


def _whole_months(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The first days of the first and the last calendar month lying wholly in [start, end], or None."""
    first = start if start.day == 1 else _months_back(start, -1)
    after = end + datetime.timedelta(days=1)
    last = _months_back(end, 0 if after.day == 1 else 1)
    return (first, last) if first <= last else None


def _counter_rows(prefix: str, start: datetime.date, end: datetime.date, group_by: str, filters: dict):
    """(key, found, closed, closed_late, close_days), several per key: the whole months of the period
    from the monthly rollup, the days of the partial months at its two edges from the daily counters."""
    months = _whole_months(start, end)
    if months is None:
        ranges = [(start, end)]
    else:
        first, last = months
        ranges = [(start, first - datetime.timedelta(days=1)), (_months_back(last, -1), end)]
    for low, high in ranges:
        if low > high:
            continue
        for values in _stat_rows(prefix, low, high, group_by, filters):
            counts = [values[name] or 0 for name in STAT_COUNTERS]
            if any(counts):  # a key whose hazards all moved away (a grade changed) is no row
                yield (values["k"], *counts)
    if months is not None:
        yield from _month_rows(prefix, *months, group_by, filters)


def _counters_in_scope(queryset, prefix: str, filters: dict):
    """Counter rows (daily or monthly) of the towns under the user's prefix and the division and
    industry filters."""
    if prefix:
        queryset = queryset.filter(_town_q(prefix))
    if filters.get("division"):
        code = filters["division"]
        queryset = queryset.filter(_town_q(divisions.subtree_prefix(code, divisions.level_of(code))))
    if filters.get("industry"):
        queryset = queryset.filter(industry=filters["industry"])
    return queryset


def _month_rows(prefix: str, first: datetime.date, last: datetime.date, group_by: str, filters: dict):
    """(key, found, closed, closed_late, close_days) from the monthly rollup for the months `first` to
    `last` (first days): the grade and source filters pick the columns, and grouping by grade or
    source adds up each one's columns."""
    stats = _counters_in_scope(
        HazardStatMonth.objects.filter(month__gte=first, month__lte=last), prefix, filters
    )
    picked = [
        (column, counter, grade, source)
        for column, counter, grade, source in rollup.columns()
        if filters.get("grade") in (None, "", grade) and filters.get("source") in (None, "", source)
    ]
    sums = {column: Sum(column) for column, *_rest in picked}
    if group_by in ("source", "grade"):
        grouped = [{"k": None, **stats.aggregate(**sums)}]
    else:
        grouped = stats.annotate(k=F(group_by)).values("k").annotate(**sums).order_by()
    for values in grouped:
        totals: dict = {}
        for column, counter, grade, source in picked:
            key = values["k"] if values["k"] is not None else (grade if group_by == "grade" else source)
            counts = totals.setdefault(key, dict.fromkeys(STAT_COUNTERS, 0))
            counts[counter] += values[column] or 0
        for key, counts in totals.items():
            if any(counts.values()):
                yield (key, counts["found"], counts["closed"], counts["closed_late"], counts["close_days"])


def _stat_rows(prefix: str, start, end, group_by: str, filters: dict):
    stats = _counters_in_scope(HazardStat.objects.filter(day__gte=start, day__lte=end), prefix, filters)
    for name in ("source", "grade"):
        if filters.get(name):
            stats = stats.filter(**{name: filters[name]})
    # Grouped by day first where the covering index (day, town, ...) is already in that order: no sort
    # of every counter row; the days are added up in Python.
    fields = ("day", "k") if group_by == "town" else ("k",)
    return (
        stats.annotate(k=_stat_key(group_by))
        .values(*fields)
        .annotate(
            found=Sum("found"),
            closed=Sum("closed"),
            closed_late=Sum("closed_late"),
            close_days=Sum("close_days"),
        )
        .order_by()
    )


def _months(start: datetime.date, end: datetime.date) -> list[str]:
    months, index = [], start.year * 12 + start.month - 1
    while index <= end.year * 12 + end.month - 1:
        months.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
        index += 1
    return months


def _sort_key(group_by: str):
    if group_by == "source":
        order = {v: i for i, v in enumerate(Source.values)}
        return lambda k: (order.get(k, 99), k)
    if group_by == "grade":
        order = {v: i for i, v in enumerate(Grade.values)}
        return lambda k: (order.get(k, 99), k)
    return lambda k: k


# -- rebuilding the counters ------------------------------------------------------------------------


def rebuild_statistics() -> int:
    """Recompute every `HazardStat` row from the hazards in one GROUP BY, then the monthly rollup
    `HazardStatMonth` from those in another; return the number of daily rows.

    The services keep the counters incrementally; this gives the same result from scratch (after a
    bulk load, or to repair them). Runs in one transaction: readers see the old or the new counters.
    """
    closed = Q(status=Status.CLOSED)
    grouped = (
        Hazard.objects.annotate(d=TruncDate("reported_at"), t=_town_expr())
        .values("d", "t", "industry", "source", "grade")
        .annotate(
            found=Count("id"),
            closed=Count("id", filter=closed),
            closed_late=Count("id", filter=closed & Q(submitted_at__gt=F("due_at"))),
            close_span=Sum(
                TruncDate("closed_at") - TruncDate("reported_at"), output_field=DurationField(), filter=closed
            ),
        )
        .order_by()
    )
    with transaction.atomic():
        HazardStat.objects.all().delete()
        batch: list[HazardStat] = []
        count = 0
        for row in grouped.iterator(chunk_size=5000):
            batch.append(
                HazardStat(
                    day=row["d"],
                    town=row["t"],
                    industry=row["industry"],
                    source=row["source"],
                    grade=row["grade"],
                    found=row["found"],
                    closed=row["closed"],
                    closed_late=row["closed_late"],
                    close_days=_days(row["close_span"]),
                )
            )
            if len(batch) >= 5000:
                HazardStat.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        HazardStat.objects.bulk_create(batch)
        count += len(batch)
        rollup.fill_monthly(HazardStat, HazardStatMonth)
    return count


# -- the ledger -------------------------------------------------------------------------------------


@dataclass
class LedgerRow:
    key: str
    label: str = ""
    open: int = 0
    major: int = 0
    overdue: int = 0
    supervised: int = 0
    ages: list[int] = field(default_factory=lambda: [0] * len(AGE_BUCKETS))

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "open": self.open,
            "major": self.major,
            "overdue": self.overdue,
            "supervised": self.supervised,
            "ages": dict(zip(AGE_KEYS, self.ages, strict=True)),
        }


@dataclass
class Ledger:
    by_town: list[LedgerRow]
    by_industry: list[LedgerRow]
    by_age: list[LedgerRow]
    total: LedgerRow


def empty_ledger() -> Ledger:
    ages = [LedgerRow(key, label=str(label)) for key, label, *_r in AGE_BUCKETS]
    return Ledger(by_town=[], by_industry=[], by_age=ages, total=LedgerRow("total", label=str(_("Total"))))


def _age_thresholds(now: datetime.datetime) -> list[datetime.datetime]:
    """The report time from which an item is in each bucket (but the last): local midnights."""
    today = timezone.localdate(now)
    return [
        _start_of(today - datetime.timedelta(days=last))
        for _k, _l, _f, last in AGE_BUCKETS
        if last is not None
    ]


def _age_expr(now: datetime.datetime):
    whens = [When(reported_at__gte=t, then=Value(i)) for i, t in enumerate(_age_thresholds(now))]
    return Case(*whens, default=Value(len(AGE_BUCKETS) - 1), output_field=IntegerField())


def age_q(key: str, now: datetime.datetime) -> Q:
    """Open items of one age bucket, as a query condition."""
    index = AGE_KEYS.index(key)
    thresholds = _age_thresholds(now)
    q = Q()
    if index < len(thresholds):
        q &= Q(reported_at__gte=thresholds[index])
    if index > 0:
        q &= Q(reported_at__lt=thresholds[index - 1])
    return q


def open_hazards(
    user, filters: dict | None = None, now: datetime.datetime | None = None, *, grouping: bool = False
):
    """The user's open hazards (status other than closed) matching the ledger's filters."""
    filters = filters or {}
    now = now or timezone.now()
    queryset = _filter_hazards(Hazard.objects.for_user(user), filters).filter(status__in=Status.open_values())
    if filters.get("age") and grouping:
        # For counting, the bucket as an expression: a date range would make SQLite walk the date index
        # over every hazard of those months instead of the open ones in the covering status index.
        queryset = queryset.annotate(age_bucket=_age_expr(now)).filter(
            age_bucket=AGE_KEYS.index(filters["age"])
        )
    elif filters.get("age"):
        # For a page in date order, the range: the date index then starts at the bucket's first day.
        queryset = queryset.filter(age_q(filters["age"], now))
    if filters.get("overdue") == "yes":
        queryset = queryset.filter(rules.overdue_q(now))
    return queryset


def ledger(user, *, filters: dict | None = None, now: datetime.datetime | None = None) -> Ledger:
    """Open items by town, by industry and by age, with the major, overdue and supervised among them."""
    now = now or timezone.now()
    overdue = rules.overdue_q(now)
    grouped = (
        open_hazards(user, filters, now, grouping=True)
        .annotate(
            t=_town_expr(),
            age=_age_expr(now),
            late=Case(When(overdue, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .values("t", "industry", "grade", "age", "late", "is_supervised")
        .annotate(n=Count("id"))
        .order_by()
    )
    towns: dict[str, LedgerRow] = {}
    trades: dict[str, LedgerRow] = {}
    ages = [LedgerRow(key, label=str(label)) for key, label, *_r in AGE_BUCKETS]
    total = LedgerRow("total", label=str(_("Total")))
    for values in grouped:
        n = values["n"]
        targets = [
            towns.setdefault(values["t"], LedgerRow(values["t"])),
            trades.setdefault(values["industry"], LedgerRow(values["industry"])),
            ages[values["age"]],
            total,
        ]
        for target in targets:
            target.open += n
            target.major += n if values["grade"] == Grade.MAJOR else 0
            target.overdue += n * values["late"]
            target.supervised += n if values["is_supervised"] else 0
            target.ages[values["age"]] += n
    names = town_names(towns)
    by_town = [towns[k] for k in sorted(towns)]
    for r in by_town:
        r.label = names.get(r.key, r.key)
    by_industry = sorted(trades.values(), key=lambda r: (-r.open, r.key))
    for r in by_industry:
        r.label = industry_label(r.key)
    return Ledger(by_town=by_town, by_industry=by_industry, by_age=ages, total=total)


def counters_by_key() -> dict[tuple, tuple[int, int, int, int]]:
    """Every counter row as {(day, town, industry, source, grade): (found, closed, closed_late,
    close_days)} without empty rows: for comparing the kept counters with rebuilt ones."""
    return {
        (s.day, s.town, s.industry, s.source, s.grade): (s.found, s.closed, s.closed_late, s.close_days)
        for s in HazardStat.objects.all()
        if s.found or s.closed or s.closed_late or s.close_days
    }


def monthly_counters_by_key() -> dict[tuple, dict[str, int]]:
    """Every monthly rollup row as {(month, town, industry): {column: value}} with its non-zero
    columns only, without empty rows: for comparing the kept rollup with a rebuilt one."""
    names = [column for column, *_rest in rollup.columns()]
    result = {}
    for values in HazardStatMonth.objects.values("month", "town", "industry", *names):
        columns = {name: values[name] for name in names if values[name]}
        if columns:
            result[(values["month"], values["town"], values["industry"])] = columns
    return result
