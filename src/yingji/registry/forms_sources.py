"""The major hazard source form and its chemicals (a plain formset: the service replaces them all)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import StyledFormMixin
from yingji.registry.models import Enterprise, MajorHazardSource

FORM_FIELDS = [
    "enterprise",
    "name",
    "code",
    "category",
    "kind",
    "exposed_population",
    "status",
    "location",
    "longitude",
    "latitude",
]
EXTRA_CHEMICAL_ROWS = 3


class SourceForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = MajorHazardSource
        fields = FORM_FIELDS

    def __init__(self, *args, user, initial_enterprise: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        enterprise = self.fields["enterprise"]
        enterprise.queryset = Enterprise.objects.for_user(user).only("id", "name")
        if user.is_enterprise_user:
            enterprise.initial = user.enterprise_id
            enterprise.disabled = True
        elif initial_enterprise and not self.instance.pk:
            enterprise.initial = initial_enterprise
        # The service checks these (with the chemicals) so every error comes from one place.
        self.fields["kind"].required = False
        self.fields["exposed_population"].widget.attrs["min"] = "0"
        for name in ("longitude", "latitude"):
            self.fields[name].widget.attrs["step"] = "0.000001"
        self.style_fields()

    def _get_validation_exclusions(self):
        # The unique name per enterprise is left to the service, which checks it together with the
        # chemicals (so every error shows at once) and reports it on `name`.
        exclude = super()._get_validation_exclusions()
        exclude.add("name")
        return exclude


class ChemicalForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Chemical"), max_length=100, required=False)
    cas = forms.CharField(label=_("CAS number"), max_length=20, required=False)
    categories = forms.CharField(
        label=_("Hazard categories"),
        max_length=100,
        required=False,
    )
    # Text, not a number field: the service reads it and names the row when it is not a quantity.
    quantity_t = forms.CharField(label=_("Maximum quantity (t)"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity_t"].widget.attrs["inputmode"] = "decimal"
        self.style_fields()

    def has_data(self) -> bool:
        return any((self.cleaned_data.get(name) or "").strip() for name in self.fields)


ChemicalFormSet = forms.formset_factory(ChemicalForm, extra=EXTRA_CHEMICAL_ROWS, can_delete=True)


def chemical_formset(data=None, source: MajorHazardSource | None = None):
    initial = None
    if source is not None and data is None:
        initial = [
            {"name": c.name, "cas": c.cas, "categories": c.categories, "quantity_t": _plain(c.quantity_t)}
            for c in source.chemicals.all()
        ]
    formset = ChemicalFormSet(data, initial=initial, prefix="chemicals")
    if initial:
        formset.extra = 1
    return formset


def _plain(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def chemicals_of(formset) -> tuple[list[dict], list[int]]:
    """(the rows the service reads, the formset index of each): blank and deleted rows are left out."""
    rows, where = [], []
    for index, form in enumerate(formset.forms):
        if not form.is_valid() or not form.has_data() or form.cleaned_data.get("DELETE"):
            continue
        rows.append(
            {name: form.cleaned_data.get(name, "") for name in ("name", "cas", "categories", "quantity_t")}
        )
        where.append(index)
    return rows, where
