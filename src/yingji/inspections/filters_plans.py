"""FilterSets of the plan, draw and conflict lists (pages and API alike)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.inspections.models_plans import (
    ConflictOfInterest,
    DrawStatus,
    EnterpriseClass,
    InspectionPlan,
    PlanEntry,
    PlanStatus,
    RandomDraw,
)


class PlanFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PlanStatus.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("year", "division", "status")]
    )

    class Meta:
        model = InspectionPlan
        fields: list[str] = []


class EntryFilterSet(django_filters.FilterSet):
    month = django_filters.NumberFilter(label=_("Month"))
    enterprise_class = django_filters.ChoiceFilter(label=_("Class"), choices=EnterpriseClass.choices)
    group = django_filters.NumberFilter(label=_("Inspector group"), field_name="group_id")

    class Meta:
        model = PlanEntry
        fields: list[str] = []


class DrawFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DrawStatus.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("drawn_at", "division", "status")]
    )

    class Meta:
        model = RandomDraw
        fields: list[str] = []


class ConflictFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"), field_name="enterprise__division")
    inspector = django_filters.NumberFilter(label=_("Inspector"), field_name="inspector_id")
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), field_name="enterprise_id")

    class Meta:
        model = ConflictOfInterest
        fields: list[str] = []
