"""One FilterSet for the source list page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.registry.models import MajorHazardSource, SourceCategory, SourceStatus

SORTABLE = [
    "name",
    "enterprise__name",
    "division",
    "category",
    "is_major",
    "grade",
    "sum_q_over_q",
    "r_value",
    "updated_at",
]
GRADE_CHOICES = [("1", _("Grade 1")), ("2", _("Grade 2")), ("3", _("Grade 3")), ("4", _("Grade 4"))]


class SourceFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Division"))
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), field_name="enterprise_id")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=SourceCategory.choices)
    is_major = django_filters.ChoiceFilter(
        label=_("Major hazard source"), choices=[("true", _("Yes")), ("false", _("No"))], method="major"
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=GRADE_CHOICES)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SourceStatus.choices)
    sort = django_filters.OrderingFilter(label=_("Sort"), fields=[(f, f) for f in SORTABLE])

    class Meta:
        model = MajorHazardSource
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__contains=value) | Q(code__startswith=value) | Q(enterprise__name__contains=value)
        )

    def major(self, queryset, name, value):
        return queryset.filter(is_major=value == "true")
