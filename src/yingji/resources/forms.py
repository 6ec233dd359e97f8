"""Forms of the resources pages (the services validate again; their errors come back on the fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.registry.models import Enterprise
from yingji.resources import rules
from yingji.resources.models import (
    Equipment,
    Expert,
    Shelter,
    SupplyItem,
    Team,
    TeamMember,
    TeamStatus,
    Warehouse,
)


class ResourceForm(StyledFormMixin, forms.ModelForm):
    """A located resource: the division among the user's own, coordinates with six decimals."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if "division" in self.fields:
            field = DivisionChoiceField(label=_("Division"))
            field.limit_to(user)
            field.initial = self.instance.division_id if self.instance.pk else user.division_id
            self.fields["division"] = field
        if "enterprise" in self.fields:
            self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).only("id", "name")
        if "team" in self.fields:
            self.fields["team"].queryset = Team.objects.for_user(user).only("id", "name")
        for name in ("longitude", "latitude"):
            if name in self.fields:
                self.fields[name].widget.attrs.update(step="0.000001", inputmode="decimal")
        self.style_fields()


class TeamForm(ResourceForm):
    class Meta:
        model = Team
        fields = [
            "name",
            "kind",
            "level",
            "division",
            "enterprise",
            "address",
            "longitude",
            "latitude",
            "contact_name",
            "contact_phone",
            "duty_a",
            "duty_b",
            "notes",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        members = (
            TeamMember.objects.filter(team=self.instance) if self.instance.pk else TeamMember.objects.none()
        )
        for name in ("duty_a", "duty_b"):
            self.fields[name].queryset = members
            if not self.instance.pk:
                self.fields.pop(name)


class TeamMemberForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = [
            "name",
            "position",
            "phone",
            "skills",
            "certificate",
            "certificate_number",
            "certificate_expiry",
        ]
        widgets = {"certificate_expiry": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class WarehouseForm(ResourceForm):
    class Meta:
        model = Warehouse
        fields = [
            "name",
            "level",
            "division",
            "enterprise",
            "address",
            "longitude",
            "latitude",
            "area_m2",
            "manager",
            "phone",
        ]


class ShelterForm(ResourceForm):
    class Meta:
        model = Shelter
        fields = [
            "name",
            "division",
            "address",
            "longitude",
            "latitude",
            "capacity",
            "area_m2",
            "facilities",
            "is_open",
            "manager",
            "phone",
        ]


class ExpertForm(ResourceForm):
    class Meta:
        model = Expert
        fields = [
            "name",
            "specialty",
            "title",
            "employer",
            "phone",
            "division",
            "longitude",
            "latitude",
            "notes",
        ]


class EquipmentForm(ResourceForm):
    class Meta:
        model = Equipment
        fields = [
            "name",
            "kind",
            "model",
            "owner",
            "team",
            "division",
            "enterprise",
            "address",
            "longitude",
            "latitude",
            "quantity",
            "status",
            "contact_phone",
        ]


class SupplyItemForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SupplyItem
        fields = ["category", "code", "name", "unit", "spec", "shelf_life_days"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


# --- actions -----------------------------------------------------------------------------------------


class MovementForm(StyledFormMixin, forms.Form):
    """Issue or adjust a stock line: a quantity and a reason (the service checks the stock)."""

    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs.update(inputmode="decimal", step="0.01")
        self.style_fields()


class ReceiveForm(MovementForm):
    item = forms.ModelChoiceField(label=_("Item"), queryset=SupplyItem.objects.select_related("category"))
    expiry = forms.DateField(
        label=_("Expiry"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    minimum = forms.DecimalField(label=_("Minimum stock"), max_digits=14, decimal_places=2, required=False)

    field_order = ["item", "quantity", "expiry", "minimum", "reason", "reference"]


class StockSettingsForm(StyledFormMixin, forms.Form):
    minimum = forms.DecimalField(label=_("Minimum stock"), max_digits=14, decimal_places=2)
    expiry = forms.DateField(
        label=_("Expiry"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class TeamStatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Readiness"), choices=TeamStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class OccupancyForm(StyledFormMixin, forms.Form):
    occupancy = forms.IntegerField(label=_("Current occupancy"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupancy"].widget.attrs["inputmode"] = "numeric"
        self.style_fields()


class NearestForm(StyledFormMixin, forms.Form):
    KIND_CHOICES = (
        ("team", _("Rescue teams")),
        ("warehouse", _("Warehouses")),
        ("shelter", _("Shelters")),
        ("expert", _("Experts")),
        ("equipment", _("Key equipment")),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)
    latitude = forms.FloatField(label=_("Latitude"))
    longitude = forms.FloatField(label=_("Longitude"))
    limit = forms.IntegerField(label=_("How many"), initial=10, min_value=1, max_value=rules.MAX_LIMIT)
    item = forms.ModelChoiceField(
        label=_("Holding item (warehouses)"),
        queryset=SupplyItem.objects.select_related("category"),
        required=False,
    )
    min_free = forms.IntegerField(label=_("Free places at least (shelters)"), required=False, min_value=0)
    ready_only = forms.BooleanField(label=_("Ready / available only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update(step="0.000001", inputmode="decimal")
        self.style_fields()
