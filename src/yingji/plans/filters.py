"""One FilterSet per list, shared by the pages and the API."""

import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.plans import rules
from yingji.plans.models import (
    Drill,
    DrillKind,
    EmergencyPlan,
    OwnerKind,
    PlanLevelKind,
    PlanStatus,
    PlanType,
)

REVIEW_CHOICES = [("overdue", _("Review overdue")), ("due_soon", _("Review due soon"))]


class PlanFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Division"))
    owner_kind = django_filters.ChoiceFilter(label=_("Owner kind"), choices=OwnerKind.choices)
    level = django_filters.ChoiceFilter(label=_("Plan level"), choices=PlanLevelKind.choices)
    plan_type = django_filters.ChoiceFilter(label=_("Plan type"), choices=PlanType.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PlanStatus.choices)
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), field_name="enterprise_id")
    review = django_filters.ChoiceFilter(label=_("Review"), choices=REVIEW_CHOICES, method="review_state")
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("title", "division", "level", "plan_type", "next_review")]
    )

    class Meta:
        model = EmergencyPlan
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__contains=value) | Q(owner__contains=value) | Q(filing_number=value))

    def review_state(self, queryset, name, value):
        today = timezone.localdate()
        queryset = queryset.filter(status="in_force")
        if value == "overdue":
            return queryset.filter(next_review__lt=today)
        return queryset.filter(
            next_review__gte=today, next_review__lte=today + datetime.timedelta(days=rules.REMIND_DAYS_BEFORE)
        )


class DrillFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Division"))
    kind = django_filters.ChoiceFilter(label=_("Drill type"), choices=DrillKind.choices)
    plan = django_filters.NumberFilter(label=_("Plan"), field_name="plan_id")
    held_after = django_filters.DateFilter(label=_("From"), field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(label=_("To"), field_name="held_on", lookup_expr="lte")
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("held_on", "kind", "score")]
    )

    class Meta:
        model = Drill
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(plan__title__contains=value) | Q(scenario__contains=value))
