"""One FilterSet per list: the pages and the API use the same ones."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.risk.models import PointKind, Post, RiskPoint, RiskUnit
from yingji.risk.rules import Level, Method


class RiskPointFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    enterprise = django_filters.NumberFilter(label=_("Enterprise (id)"), field_name="unit__enterprise_id")
    unit = django_filters.NumberFilter(label=_("Risk unit (id)"), field_name="unit_id")
    level = django_filters.ChoiceFilter(label=_("Risk level"), choices=Level.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PointKind.choices)
    method = django_filters.ChoiceFilter(label=_("Assessment method"), choices=Method.choices)
    division = DivisionPrefixFilter(label=_("Division"), field_name="unit__enterprise__division")
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=[
            ("name", "name"),
            ("unit__enterprise__name", "enterprise"),
            ("level", "level"),
            ("score", "score"),
            ("assessed_at", "assessed_at"),
        ],
    )

    class Meta:
        model = RiskPoint
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__contains=value)
            | Q(unit__name__contains=value)
            | Q(unit__enterprise__name__contains=value)
        )


class RiskUnitFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    enterprise = django_filters.NumberFilter(label=_("Enterprise (id)"), field_name="enterprise_id")
    division = DivisionPrefixFilter(label=_("Division"), field_name="enterprise__division")

    class Meta:
        model = RiskUnit
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(enterprise__name__contains=value))


class PostFilterSet(RiskUnitFilterSet):
    class Meta:
        model = Post
        fields: list[str] = []
