"""Filters of online supervision: one FilterSet per list, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.monitoring.models import (
    DustCheckin,
    DustDayResult,
    DustSchedule,
    RollCall,
    RollCallStatus,
    RollCallTarget,
    TargetStatus,
    VideoCheck,
    VideoResult,
    WindowStatus,
)


class RollCallFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    status = django_filters.ChoiceFilter(choices=RollCallStatus.choices, label=_("Status"))
    started_after = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__gte", label=_("From")
    )
    started_before = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__lte", label=_("To")
    )

    class Meta:
        model = RollCall
        fields = ["division", "status", "started_after", "started_before"]


class RollCallTargetFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    status = django_filters.ChoiceFilter(choices=TargetStatus.choices, label=_("Status"))
    q = django_filters.CharFilter(
        field_name="enterprise__name", lookup_expr="icontains", label=_("Enterprise")
    )

    class Meta:
        model = RollCallTarget
        fields = ["division", "status", "q"]


class VideoCheckFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    result = django_filters.ChoiceFilter(choices=VideoResult.choices, label=_("Result"))
    q = django_filters.CharFilter(
        field_name="enterprise__name", lookup_expr="icontains", label=_("Enterprise")
    )
    checked_after = django_filters.DateFilter(
        field_name="checked_at", lookup_expr="date__gte", label=_("From")
    )
    checked_before = django_filters.DateFilter(
        field_name="checked_at", lookup_expr="date__lte", label=_("To")
    )

    class Meta:
        model = VideoCheck
        fields = ["division", "result", "q", "checked_after", "checked_before"]


class DustScheduleFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    q = django_filters.CharFilter(
        field_name="enterprise__name", lookup_expr="icontains", label=_("Enterprise")
    )

    class Meta:
        model = DustSchedule
        fields = ["division", "q"]


class DustCheckinFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    q = django_filters.CharFilter(
        field_name="enterprise__name", lookup_expr="icontains", label=_("Enterprise")
    )
    day = django_filters.DateFilter(field_name="done_at", lookup_expr="date", label=_("Day"))

    class Meta:
        model = DustCheckin
        fields = ["division", "q", "day"]


class DustDayResultFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    status = django_filters.ChoiceFilter(choices=WindowStatus.choices, label=_("Result"))
    day = django_filters.DateFilter(field_name="day", label=_("Day"))
    q = django_filters.CharFilter(
        field_name="enterprise__name", lookup_expr="icontains", label=_("Enterprise")
    )

    class Meta:
        model = DustDayResult
        fields = ["division", "status", "day", "q"]
