"""One FilterSet for the hidden-danger list page, its export and the API."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.hazards import rules
from yingji.hazards.models import Grade, Hazard, Source, Status

SORTABLE = ["reported_at", "due_at", "title", "status", "grade", "source", "rejections"]
YES = [("yes", _("Yes"))]


def _start_of(day: datetime.date) -> datetime.datetime:
    """Local midnight of `day` as an aware datetime (a range on the indexed column, not on its date)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class HazardFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    division = DivisionPrefixFilter(label=_("Town / division"))
    enterprise = django_filters.NumberFilter(label=_("Enterprise ID"), field_name="enterprise_id")
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES, method="only_overdue")
    supervised = django_filters.ChoiceFilter(
        label=_("Under supervised listing"), choices=YES, method="only_supervised"
    )
    reported_from = django_filters.DateFilter(
        label=_("Reported from"), method="reported_from_day", widget=forms.DateInput(attrs={"type": "date"})
    )
    reported_to = django_filters.DateFilter(
        label=_("Reported until"), method="reported_to_day", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = django_filters.OrderingFilter(label=_("Sort"), fields=[(f, f) for f in SORTABLE])

    class Meta:
        model = Hazard
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__contains=value) | Q(enterprise__name__contains=value))

    def only_overdue(self, queryset, name, value):
        return queryset.filter(rules.overdue_q(timezone.now())) if value == "yes" else queryset

    def only_supervised(self, queryset, name, value):
        return queryset.filter(is_supervised=True) if value == "yes" else queryset

    def reported_from_day(self, queryset, name, value):
        return queryset.filter(reported_at__gte=_start_of(value))

    def reported_to_day(self, queryset, name, value):
        return queryset.filter(reported_at__lt=_start_of(value + datetime.timedelta(days=1)))
