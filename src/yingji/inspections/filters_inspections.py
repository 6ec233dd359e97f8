"""One FilterSet per list for the pages, the exports and the API alike."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.inspections.models_checklists import (
    CheckIn,
    CheckInPurpose,
    ChecklistTemplate,
    Inspection,
    InspectionKind,
    InspectionStatus,
    TemplateStatus,
    Topic,
)


class ChecklistTemplateFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    topic = django_filters.ChoiceFilter(label=_("Topic"), choices=Topic.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TemplateStatus.choices)
    code = django_filters.CharFilter(label=_("Code"), field_name="code")
    id = django_filters.NumberFilter(label=_("ID"), field_name="id")
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("code", "name", "topic", "version", "status", "updated_at")]
    )

    class Meta:
        model = ChecklistTemplate
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value))


class InspectionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Division"))
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), field_name="enterprise_id")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=InspectionStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InspectionKind.choices)
    started_after = django_filters.DateFilter(
        label=_("Started on or after"), field_name="started_at__date", lookup_expr="gte"
    )
    started_before = django_filters.DateFilter(
        label=_("Started on or before"), field_name="started_at__date", lookup_expr="lte"
    )
    mine = django_filters.BooleanFilter(label=_("Mine only"), method="only_mine")
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=[
            (f, f) for f in ("started_at", "finished_at", "enterprise__name", "status", "kind", "division")
        ],
    )

    class Meta:
        model = Inspection
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(enterprise__name__contains=value) if value else queryset

    def only_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None and user.is_authenticated:
            return queryset.filter(inspectors=user)
        return queryset


class CheckInFilterSet(ScopedFilterSet):
    division = DivisionPrefixFilter(label=_("Division"))
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), field_name="enterprise_id")
    purpose = django_filters.ChoiceFilter(label=_("Purpose"), choices=CheckInPurpose.choices)
    is_far = django_filters.BooleanFilter(label=_("Far from the enterprise"), field_name="is_far")
    sort = django_filters.OrderingFilter(
        label=_("Sort"), fields=[(f, f) for f in ("at", "enterprise__name", "distance_m")]
    )

    class Meta:
        model = CheckIn
        fields: list[str] = []
