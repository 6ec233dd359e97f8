"""FilterSets shared by the monitoring pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.monitoring.models import (
    SEVERITY_LABELS,
    Alarm,
    AlarmCondition,
    AlarmState,
    Device,
    Point,
    PointKind,
)

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class DeviceFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Town / division"))
    enterprise = django_filters.NumberFilter(label=_("Enterprise ID"), field_name="enterprise_id")
    source = django_filters.NumberFilter(label=_("Source ID"), field_name="source_id")
    online = django_filters.ChoiceFilter(label=_("Online"), choices=YES_NO, method="only_online")
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=[(f, f) for f in ("code", "name", "enterprise__name", "is_online", "last_seen_at")],
    )

    class Meta:
        model = Device
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__contains=value) | Q(name__contains=value) | Q(enterprise__name__contains=value)
        )

    def only_online(self, queryset, name, value):
        return queryset.filter(is_online=value == "yes")


class PointFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Town / division"))
    enterprise = django_filters.NumberFilter(label=_("Enterprise ID"), field_name="enterprise_id")
    source = django_filters.NumberFilter(label=_("Source ID"), field_name="source_id")
    device = django_filters.NumberFilter(label=_("Device ID"), field_name="device_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PointKind.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=[(f, f) for f in ("code", "name", "kind", "device__code", "last_value", "last_ts")],
    )

    class Meta:
        model = Point
        fields: list[str] = []


class AlarmFilterSet(ScopedFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=AlarmState.choices)
    open = django_filters.ChoiceFilter(label=_("Open"), choices=YES_NO, method="only_open")
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=[(str(level), label) for level, label in SEVERITY_LABELS.items()]
    )
    condition = django_filters.ChoiceFilter(label=_("Condition"), choices=AlarmCondition.choices)
    division = DivisionPrefixFilter(label=_("Town / division"))
    enterprise = django_filters.NumberFilter(label=_("Enterprise ID"), field_name="enterprise_id")
    source = django_filters.NumberFilter(label=_("Source ID"), field_name="source_id")
    raised_from = django_filters.DateTimeFilter(
        label=_("Raised from"),
        field_name="raised_at",
        lookup_expr="gte",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    raised_to = django_filters.DateTimeFilter(
        label=_("Raised until"),
        field_name="raised_at",
        lookup_expr="lt",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    class Meta:
        model = Alarm
        fields: list[str] = []

    def only_open(self, queryset, name, value):
        return queryset.filter(is_open=value == "yes")
