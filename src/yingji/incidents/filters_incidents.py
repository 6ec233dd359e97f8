"""List filters of incidents and responses (page and API alike)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.incidents.models import Incident, IncidentGrade, IncidentKind, IncidentStatus, Response

SORTABLE = ["occurred_at", "title", "kind", "grade", "status", "division", "deaths"]


class IncidentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Town / village"))
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=IncidentKind.choices)
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=IncidentGrade.choices[1:])
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentStatus.choices)
    sort = django_filters.OrderingFilter(label=_("Sort"), fields=[(f, f) for f in SORTABLE])

    class Meta:
        model = Incident
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__contains=value) | Q(address__contains=value) | Q(description__contains=value)
        )


class ResponseFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Town / village"), field_name="incident__division")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[("open", _("Open")), ("closed", _("Closed"))]
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[("opened_at", "opened_at"), ("status", "status")]
    )

    class Meta:
        model = Response
        fields: list[str] = []
