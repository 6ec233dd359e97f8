"""Forms of the risk pages. They only shape input; the services check and grade it."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import SELECT_LIMIT, StyledFormMixin
from yingji.registry.models import Enterprise
from yingji.risk import rules
from yingji.risk.models import ControlMeasure, PointKind, Post, RiskPoint, RiskUnit
from yingji.risk.rules import Method


def factor_choices(factor: str) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (rules.number_text(row.value), f"{rules.number_text(row.value)} — {row.description}")
        for row in rules.lec_factors()[factor]
    ]


LS_LIKELIHOOD = [("", "—")] + [(str(v), str(v)) for v in reversed(rules.LS_VALUES)]


class EnterpriseField(forms.ModelChoiceField):
    """An enterprise the user can see; a number input (its id) when there are too many for a list."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Enterprise.objects.none(), **kwargs)

    def limit_to(self, user) -> None:
        self.queryset = Enterprise.objects.for_user(user).only("id", "name").order_by("name")
        if self.queryset.count() > SELECT_LIMIT:
            self.widget = forms.NumberInput(attrs={"placeholder": _("Enterprise id")})


class EnterpriseOwnedForm(StyledFormMixin, forms.ModelForm):
    """A form of a record owned by one enterprise; enterprise users cannot pick another one."""

    enterprise = EnterpriseField(label=_("Enterprise"))

    def __init__(self, *args, user, initial_enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        field.limit_to(user)
        if self.instance.pk:
            field.disabled = True
            field.initial = self.instance.enterprise_id
        elif user.is_enterprise_user:
            field.disabled = True
            field.initial = user.enterprise_id
        elif initial_enterprise:
            field.initial = initial_enterprise
        self.style_fields()


class RiskUnitForm(EnterpriseOwnedForm):
    class Meta:
        model = RiskUnit
        fields = ["enterprise", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PostForm(EnterpriseOwnedForm):
    class Meta:
        model = Post
        fields = ["enterprise", "name", "duties", "operating_steps", "emergency_steps", "risk_points"]
        widgets = {
            "duties": forms.Textarea(attrs={"rows": 4}),
            "operating_steps": forms.Textarea(attrs={"rows": 5}),
            "emergency_steps": forms.Textarea(attrs={"rows": 5}),
            "risk_points": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, user, initial_enterprise=None, **kwargs):
        super().__init__(*args, user=user, initial_enterprise=initial_enterprise, **kwargs)
        points = RiskPoint.objects.for_user(user).select_related("unit")
        enterprise_id = self.instance.enterprise_id if self.instance.pk else None
        enterprise_id = enterprise_id or self.fields["enterprise"].initial
        if enterprise_id:
            points = points.filter(unit__enterprise_id=enterprise_id)
        elif points.count() > SELECT_LIMIT:
            points = points.none()
            self.fields["risk_points"].help_text = _("Save the post first, then choose its risk points.")
        self.fields["risk_points"].queryset = points
        self.fields["risk_points"].label_from_instance = lambda p: f"{p.unit.name} / {p.name}"


class ControlMeasureForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ControlMeasure
        fields = ["measure_type", "control_level", "description", "responsible_person", "responsible_phone"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class RiskPointForm(StyledFormMixin, forms.Form):
    """A risk point and its assessment; factor values are offered from the tables, and the services
    check them again (an API client or a forged form gets the same field error)."""

    unit = forms.ModelChoiceField(label=_("Risk unit"), queryset=RiskUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PointKind.choices)
    hazard_factors = forms.CharField(
        label=_("Hazard factors"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consequences = forms.CharField(
        label=_("Possible consequences"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    method = forms.ChoiceField(label=_("Assessment method"), choices=Method.choices)
    lec_l = forms.ChoiceField(label=_("L (likelihood)"), required=False, choices=factor_choices("L"))
    lec_e = forms.ChoiceField(label=_("E (exposure)"), required=False, choices=factor_choices("E"))
    lec_c = forms.ChoiceField(label=_("C (consequence)"), required=False, choices=factor_choices("C"))
    ls_l = forms.ChoiceField(label=_("L (likelihood, 1–5)"), required=False, choices=LS_LIKELIHOOD)
    ls_s = forms.ChoiceField(label=_("S (severity, 1–5)"), required=False, choices=LS_LIKELIHOOD)

    FACTORS = ("lec_l", "lec_e", "lec_c", "ls_l", "ls_s")

    def __init__(self, data=None, *, instance: RiskPoint | None = None, user, initial_unit=None):
        initial = {}
        if instance is not None:
            initial = {
                name: getattr(instance, name)
                for name in ("unit", "name", "kind", "hazard_factors", "consequences", "method")
            }
            initial["unit"] = instance.unit_id
            for name in self.FACTORS:
                value = getattr(instance, name)
                initial[name] = "" if value is None else rules.number_text(Decimal(value))
        elif initial_unit:
            initial["unit"] = initial_unit
        super().__init__(data, initial=initial)
        self.instance = instance
        units = RiskUnit.objects.for_user(user).select_related("enterprise")
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.enterprise.name} / {u.name}"
        if units.count() > SELECT_LIMIT:  # a county's worth of units: type the id (the unit page links here)
            self.fields["unit"].widget = forms.NumberInput(attrs={"placeholder": _("Risk unit id")})
        if instance is not None:
            self.fields["unit"].disabled = True
        self.style_fields()

    def clean(self):
        data = super().clean()
        for name in self.FACTORS:
            if data.get(name) == "":
                data[name] = None
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("unit", None)
        return data


class RiskMethodConfigForm(StyledFormMixin, forms.Form):
    """The level mapping of one method: three edges and which side of an edge is closed."""

    edge_1 = forms.DecimalField(label=_("Low | general edge"))
    edge_2 = forms.DecimalField(label=_("General | significant edge"))
    edge_3 = forms.DecimalField(label=_("Significant | major edge"))
    closed = forms.ChoiceField(
        label=_("A score equal to an edge"),
        choices=[(rules.RIGHT, _("stays in the lower level")), (rules.LEFT, _("goes to the higher level"))],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, data=None, *, bands: rules.Bands, note: str = ""):
        initial = {
            "edge_1": bands.edges[0],
            "edge_2": bands.edges[1],
            "edge_3": bands.edges[2],
            "closed": bands.closed,
            "note": note,
        }
        super().__init__(data, initial=initial)
        self.style_fields()

    def bands_json(self) -> dict:
        data = self.cleaned_data
        return {
            "edges": [rules.plain_number(data[name]) for name in ("edge_1", "edge_2", "edge_3")],
            "closed": data["closed"],
        }
