"""One FilterSet per enforcement list, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.inspections.models_enforcement import (
    Discretion,
    DocumentKind,
    EnforcementDocument,
    EnforcementLead,
    LeadSource,
    LeadStatus,
    NumberPattern,
    OrderStatus,
    PaymentStatus,
    PenaltyCase,
    PenaltyStatus,
    RectificationOrder,
    Reinspection,
    Suspension,
    SuspensionStatus,
)

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class _EnterpriseFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Division"))
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), field_name="enterprise_id")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(enterprise__name__contains=value) if value else queryset


class OrderFilterSet(_EnterpriseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices)
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES_NO, method="filter_overdue")
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("issued_at", "deadline", "enterprise__name", "status")]
    )

    class Meta:
        model = RectificationOrder
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status="issued", deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)


class ReinspectionFilterSet(_EnterpriseFilterSet):
    order = django_filters.NumberFilter(label=_("Rectification order"), field_name="order_id")

    class Meta:
        model = Reinspection
        fields: list[str] = []


class PenaltyFilterSet(_EnterpriseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PenaltyStatus.choices)
    payment_status = django_filters.ChoiceFilter(label=_("Payment"), choices=PaymentStatus.choices)
    discretion = django_filters.ChoiceFilter(label=_("Discretion level"), choices=Discretion.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("opened_at", "decided_at", "amount", "enterprise__name")]
    )

    class Meta:
        model = PenaltyCase
        fields: list[str] = []


class SuspensionFilterSet(_EnterpriseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SuspensionStatus.choices)

    class Meta:
        model = Suspension
        fields: list[str] = []


class LeadFilterSet(_EnterpriseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LeadStatus.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=LeadSource.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("created_at", "enterprise__name", "status", "source")]
    )

    class Meta:
        model = EnforcementLead
        fields: list[str] = []


class DocumentFilterSet(_EnterpriseFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Document kind"), choices=DocumentKind.choices)
    year = django_filters.NumberFilter(label=_("Year"))
    number = django_filters.CharFilter(label=_("Document number"), lookup_expr="contains")

    class Meta:
        model = EnforcementDocument
        fields: list[str] = []


class PatternFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Document kind"), choices=DocumentKind.choices)

    class Meta:
        model = NumberPattern
        fields: list[str] = []
