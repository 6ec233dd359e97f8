"""One FilterSet for the enterprise list page, its exports and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.registry import industries
from yingji.registry.models import (
    SUPERVISION_FLAGS,
    Enterprise,
    EnterpriseStatus,
    Scale,
    StandardizationLevel,
)

SORTABLE = ["name", "uscc", "industry", "division", "employees", "status", "updated_at"]


class EnterpriseFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Division"))
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=industries.CHOICES)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EnterpriseStatus.choices)
    scale = django_filters.ChoiceFilter(label=_("Scale"), choices=Scale.choices)
    standardization = django_filters.ChoiceFilter(
        label=_("Standardization level"), choices=StandardizationLevel.choices
    )
    flag = django_filters.MultipleChoiceFilter(
        label=_("Supervision flags"), choices=list(SUPERVISION_FLAGS.items()), method="with_flags"
    )
    liability_insured = django_filters.ChoiceFilter(
        label=_("Liability insurance"), choices=[("true", _("Yes")), ("false", _("No"))], method="insured"
    )
    sort = django_filters.OrderingFilter(label=_("Sort"), fields=[(f, f) for f in SORTABLE])

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__contains=value) | Q(uscc__startswith=value.upper()) | Q(address__contains=value)
        )

    def insured(self, queryset, name, value):
        return queryset.filter(liability_insured=value == "true")

    def with_flags(self, queryset, name, values):
        return queryset.filter(**dict.fromkeys(values, True)) if values else queryset
