"""Coverage (执法清零): which operating enterprises in scope had no finished inspection in a period.

An enterprise counts as inspected in a period when its `EnterpriseInspectionYear` row for the period's
year has a bit of one of the period's months (kept by rollup_plans with every inspection change), so
both the per-town/per-industry counts and the list of the uninspected are one pass over the enterprises
with an index probe each — no scan of the inspections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Concat, Substr
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import divisions
from yingji.core.filters import DivisionCodeField
from yingji.core.models import Division
from yingji.inspections import rules_plans
from yingji.inspections.models_plans import EnterpriseInspectionYear
from yingji.registry import industries
from yingji.registry.models import Enterprise

GROUPS = {"town": _("Town"), "industry": _("Industry (department)")}


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


class PeriodForm(forms.Form):
    """A year, or one quarter or one month of it, and the division and industry filters."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Whole year")), *[(q, f"Q{q}") for q in (1, 2, 3, 4)]],
    )
    month = forms.IntegerField(label=_("Month"), required=False, min_value=1, max_value=12)
    division = DivisionCodeField(label=_("Town / division"), required=False)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=4)

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
        return (industries.resolve(value) or "")[:2] if value else ""

    def clean(self):
        data = super().clean()
        if data.get("quarter") and data.get("month"):
            self.add_error("month", forms.ValidationError(_("Choose a quarter or a month."), code="invalid"))
        if not self.errors:
            data["period"] = rules_plans.period(
                data.get("year") or timezone.localdate().year, data.get("quarter"), data.get("month")
            )
        return data

    def filters(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("division", "industry") if self.cleaned_data.get(k)}


class CoverageForm(PeriodForm):
    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=list(GROUPS.items()))

    def clean(self):
        data = super().clean()
        data["group_by"] = data.get("group_by") or "town"
        return data


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


@dataclass
class CoverageRow:
    key: str
    label: str = ""
    enterprises: int = 0
    inspected: int = 0

    @property
    def uninspected(self) -> int:
        return self.enterprises - self.inspected

    @property
    def rate(self) -> float | None:
        return _percent(self.inspected, self.enterprises)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "enterprises": self.enterprises,
            "inspected": self.inspected,
            "uninspected": self.uninspected,
            "coverage_rate": self.rate,
        }


@dataclass
class Coverage:
    period: rules_plans.Period
    group_by: str
    rows: list[CoverageRow]
    total: CoverageRow = field(default_factory=lambda: CoverageRow("total"))


def town_expr(path: str = "division_id"):
    return Concat(Substr(path, 1, 9), Value("000"), output_field=CharField())


def in_scope(user, filters: dict | None = None):
    """The user's operating enterprises under the division and industry filters."""
    filters = filters or {}
    queryset = Enterprise.objects.for_user(user).filter(status="operating")
    if filters.get("division"):
        code = filters["division"]
        queryset = queryset.filter(
            division__code__startswith=divisions.subtree_prefix(code, divisions.level_of(code))
        )
    if filters.get("industry"):
        queryset = queryset.filter(industry__startswith=filters["industry"])
    return queryset


def inspected_q(period: rules_plans.Period) -> Exists:
    """An enterprise had a finished inspection in the period (an index probe on (enterprise, year))."""
    return Exists(
        EnterpriseInspectionYear.objects.filter(enterprise=OuterRef("pk"), year=period.year)
        .annotate(bits=F("months").bitand(period.mask))
        .filter(bits__gt=0)
    )


def scope_prefix(user, filters: dict) -> str | None:
    """The division prefix the figures cover: the user's, narrowed by the division filter; None when
    the filter lies outside the user's jurisdiction (nothing to count)."""
    prefix = getattr(user, "scope_prefix", None) or ""
    code = filters.get("division")
    if code:
        wanted = divisions.subtree_prefix(code, divisions.level_of(code))
        if wanted.startswith(prefix):
            return wanted
        return prefix if prefix.startswith(wanted) else None
    return prefix


def inspected_years(user, period: rules_plans.Period, filters: dict):
    """The yearly rows of the enterprises inspected in the period under the scope and filters, read
    from the covering (year, town, industry, months) index; None where that index cannot answer (an
    enterprise user, a village, an industry filter finer than 2 digits)."""
    prefix = scope_prefix(user, filters)
    industry = filters.get("industry", "")
    if getattr(user, "is_enterprise_user", False) or prefix is None or len(prefix) > 9 or len(industry) > 2:
        return None
    years = EnterpriseInspectionYear.objects.filter(year=period.year)
    if prefix:
        years = years.filter(Exact(Substr("town", 1, len(prefix)), Value(prefix)))
    if industry:
        years = years.filter(industry=industry)
    return years.annotate(bits=F("months").bitand(period.mask)).filter(bits__gt=0)


def coverage(
    user, *, period: rules_plans.Period, group_by: str = "town", filters: dict | None = None
) -> Coverage:
    """Per town or industry: the operating enterprises in scope (one grouped count over them) and those
    inspected in the period (a grouped count over the yearly rows' covering index; an enterprise
    inspected then but no longer operating is not counted beyond the row's enterprises)."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    filters = filters or {}
    key = town_expr() if group_by == "town" else Substr("industry", 1, 2)
    scope = in_scope(user, filters)
    years = inspected_years(user, period, filters)
    if years is None:
        grouped = (
            scope.annotate(
                k=key,
                hit=Case(
                    When(inspected_q(period), then=Value(1)), default=Value(0), output_field=IntegerField()
                ),
            )
            .values("k")
            .annotate(n=Count("id"), done=Sum("hit"))
            .order_by()
        )
        rows = [CoverageRow(r["k"] or "", enterprises=r["n"], inspected=r["done"] or 0) for r in grouped]
    else:
        counts = scope.annotate(k=key).values("k").annotate(n=Count("id")).order_by()
        column = "town" if group_by == "town" else "industry"
        done = {
            r["k"] or "": r["n"]
            for r in years.annotate(k=F(column)).values("k").annotate(n=Count("id")).order_by()
        }
        rows = [
            CoverageRow(r["k"] or "", enterprises=r["n"], inspected=min(done.get(r["k"] or "", 0), r["n"]))
            for r in counts
        ]
    labels = labels_for(group_by, [r.key for r in rows])
    rows.sort(key=lambda r: r.key)
    total = CoverageRow("total", label=str(_("Total")))
    for r in rows:
        r.label = labels.get(r.key, r.key) or str(_("None"))
        total.enterprises += r.enterprises
        total.inspected += r.inspected
    return Coverage(period=period, group_by=group_by, rows=rows, total=total)


def uninspected(user, *, period: rules_plans.Period, filters: dict | None = None):
    """The enterprises in scope with no finished inspection in the period, by name."""
    return in_scope(user, filters).filter(~Q(inspected_q(period))).order_by("name", "id")


class Counted:
    """A queryset whose length is already known (a Paginator asks `count()`, then slices)."""

    def __init__(self, queryset, count: int):
        self.queryset, self.total = queryset, count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return self.queryset[key]


def labels_for(group_by: str, keys) -> dict[str, str]:
    keys = [k for k in keys if k]
    if group_by == "town":
        names = dict(Division.objects.filter(code__in=set(keys)).values_list("code", "name")) if keys else {}
        return {k: names.get(k, k) for k in keys}
    if group_by == "industry":
        return {k: f"{k} {industries.NAMES.get(k, '')}".strip() for k in keys}
    return {k: k for k in keys}
