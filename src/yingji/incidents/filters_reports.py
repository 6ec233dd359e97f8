"""The FilterSet of the disaster event list (page and API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import ScopedFilterSet
from yingji.incidents.models_reports import DisasterEvent, EventStatus, HazardType


class EventFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="contains")
    hazard_type = django_filters.ChoiceFilter(label=_("Disaster type"), choices=HazardType.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EventStatus.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("opened_at", "started_on", "title")]
    )

    class Meta:
        model = DisasterEvent
        fields: list[str] = []
