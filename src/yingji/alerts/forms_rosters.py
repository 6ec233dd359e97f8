"""Forms, the list filters (page, export and API alike) and the list columns of the evacuation rosters."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.alerts.models import Evacuee, EvacueeCategory, RoundTrigger, TransferState
from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.core.tables import Column

EVACUEE_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("division.name", _("Village"), sort_key="division"),
    Column("category", _("Category")),
    Column("masked_phone", _("Phone"), sortable=False),
    Column("custodian_name", _("Custodian")),
    Column("masked_custodian_phone", _("Custodian's phone"), sortable=False),
    Column("shelter", _("Target shelter")),
    Column("active_display", _("Active"), sort_key="active"),
]
SORTABLE = ["name", "division", "category", "custodian_name", "shelter", "active"]


class EvacueeFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Town / village"))
    category = django_filters.ChoiceFilter(label=_("Category"), choices=EvacueeCategory.choices)
    active = django_filters.ChoiceFilter(
        label=_("Active"), choices=[("true", _("Yes")), ("false", _("No"))], method="by_active"
    )
    sort = django_filters.OrderingFilter(label=_("Sort"), fields=[(f, f) for f in SORTABLE])

    class Meta:
        model = Evacuee
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__contains=value)
            | Q(address__contains=value)
            | Q(custodian_name__contains=value)
            | Q(shelter__contains=value)
        )

    def by_active(self, queryset, name, value):
        return queryset.filter(active=value == "true")


class VillageChoiceField(DivisionChoiceField):
    def limit_to(self, user):
        super().limit_to(user)
        if isinstance(self.widget, forms.Select):
            self.queryset = self.queryset.filter(level="village")


class EvacueeForm(StyledFormMixin, forms.ModelForm):
    division = VillageChoiceField(label=_("Village"))

    class Meta:
        model = Evacuee
        fields = [
            "division", "name", "address", "category", "phone", "custodian_name", "custodian_phone",
            "custodian_user", "shelter", "note", "active",
        ]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].limit_to(user)
        from yingji.accounts.models import User

        prefix = user.scope_prefix or ""
        self.fields["custodian_user"].queryset = User.objects.filter(
            is_active=True, division__code__startswith=prefix
        ).order_by("username")
        self.fields["custodian_user"].required = False
        self.fields["shelter"].help_text = _("A place name for now (shelters are not yet managed as places).")
        self.style_fields()


class TriggerForm(StyledFormMixin, forms.ModelForm):
    division = DivisionChoiceField(label=_("Division"))

    class Meta:
        model = RoundTrigger
        fields = ["division", "event_type", "min_level", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].limit_to(user)
        self.style_fields()


class MarkForm(forms.Form):
    status = forms.ChoiceField(choices=[c for c in TransferState.choices if c[0] != "pending"])
    note = forms.CharField(max_length=200, required=False)
