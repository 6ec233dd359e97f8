"""Filters of the resources lists; the list pages, exports and the API share them."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.resources import rules
from yingji.resources.models import (
    Equipment,
    EquipmentStatus,
    Expert,
    ExpertSpecialty,
    MovementKind,
    Shelter,
    Stock,
    StockMovement,
    SupplyCategory,
    SupplyItem,
    Team,
    TeamKind,
    TeamLevel,
    TeamStatus,
    Warehouse,
    WarehouseLevel,
)


def _search(*fields):
    def method(queryset, name, value):
        if not value:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)

    return method


class TeamFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=lambda qs, n, v: _search("name", "address")(qs, n, v)
    )
    division = DivisionPrefixFilter(label=_("Division"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=TeamKind.choices)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=TeamLevel.choices)
    status = django_filters.ChoiceFilter(label=_("Readiness"), choices=TeamStatus.choices)
    sort = django_filters.OrderingFilter(fields=("name", "kind", "level", "status", "headcount", "division"))

    class Meta:
        model = Team
        fields: list[str] = []


class WarehouseFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=lambda qs, n, v: _search("name", "address")(qs, n, v)
    )
    division = DivisionPrefixFilter(label=_("Division"))
    level = django_filters.ChoiceFilter(label=_("Reserve level"), choices=WarehouseLevel.choices)
    flagged = django_filters.BooleanFilter(label=_("With stock warnings"), method="filter_flagged")
    sort = django_filters.OrderingFilter(fields=("name", "level", "division"))

    class Meta:
        model = Warehouse
        fields: list[str] = []

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        from yingji.resources import services

        ids = services.flagged_stock(Stock.objects.all(), today=timezone.localdate()).values("warehouse_id")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class StockFilterSet(ScopedFilterSet):
    FLAGS = (
        ("below_minimum", _("Below minimum")),
        ("expiring", _("Expiring or expired")),
        ("any", _("Any warning")),
    )

    q = django_filters.CharFilter(
        label=_("Search"), method=lambda qs, n, v: _search("item__name", "warehouse__name")(qs, n, v)
    )
    warehouse = django_filters.NumberFilter(label=_("Warehouse"), field_name="warehouse_id")
    item = django_filters.NumberFilter(label=_("Item"), field_name="item_id")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), field_name="item__category", queryset=SupplyCategory.objects.all()
    )
    division = DivisionPrefixFilter(label=_("Division"), field_name="warehouse__division")
    flag = django_filters.ChoiceFilter(label=_("Warning"), choices=FLAGS, method="filter_flag")
    days = django_filters.NumberFilter(label=_("Expiring within (days)"), method="filter_noop", min_value=0)
    sort = django_filters.OrderingFilter(fields=("quantity", "expiry", "item", "warehouse"))

    class Meta:
        model = Stock
        fields: list[str] = []

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_flag(self, queryset, name, value):
        from yingji.resources import services

        days = self.form.cleaned_data.get("days")
        days = int(days) if days is not None else rules.DEFAULT_EXPIRY_DAYS
        return services.flagged_stock(
            queryset, today=timezone.localdate(), days=days, flag="" if value == "any" else value
        )


class MovementFilterSet(ScopedFilterSet):
    warehouse = django_filters.NumberFilter(label=_("Warehouse"), field_name="warehouse_id")
    item = django_filters.NumberFilter(label=_("Item"), field_name="item_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MovementKind.choices)
    division = DivisionPrefixFilter(label=_("Division"), field_name="warehouse__division")

    class Meta:
        model = StockMovement
        fields: list[str] = []


class SupplyItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=lambda qs, n, v: _search("name", "code")(qs, n, v)
    )
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=SupplyCategory.objects.all())

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)

    class Meta:
        model = SupplyItem
        fields: list[str] = []


class ShelterFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=lambda qs, n, v: _search("name", "address")(qs, n, v)
    )
    division = DivisionPrefixFilter(label=_("Division"))
    is_open = django_filters.BooleanFilter(label=_("Open"))
    sort = django_filters.OrderingFilter(fields=("name", "capacity", "occupancy", "division"))

    class Meta:
        model = Shelter
        fields: list[str] = []


class ExpertFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=lambda qs, n, v: _search("name", "employer", "title")(qs, n, v)
    )
    division = DivisionPrefixFilter(label=_("Division"))
    specialty = django_filters.ChoiceFilter(label=_("Specialty"), choices=ExpertSpecialty.choices)
    sort = django_filters.OrderingFilter(fields=("name", "specialty", "employer"))

    class Meta:
        model = Expert
        fields: list[str] = []


class EquipmentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=lambda qs, n, v: _search("name", "kind", "model", "owner")(qs, n, v)
    )
    division = DivisionPrefixFilter(label=_("Division"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EquipmentStatus.choices)
    team = django_filters.NumberFilter(label=_("Team"), field_name="team_id")
    sort = django_filters.OrderingFilter(fields=("name", "kind", "status", "division"))

    class Meta:
        model = Equipment
        fields: list[str] = []
