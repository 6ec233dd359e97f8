"""Forms of the checklist and inspection pages (they parse; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.accounts.models import User
from yingji.core.forms import SELECT_LIMIT, StyledFormMixin
from yingji.hazards.forms import MultiplePhotoField
from yingji.inspections.models_checklists import ChecklistTemplate, InspectionKind, ItemResult
from yingji.registry.models import Enterprise

INSPECTOR_ROLES = ("bureau_admin", "bureau_staff", "inspector", "town_official")


class ChecklistTemplateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ["code", "name", "topic", "industries", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
        self.style_fields()

    def validate_unique(self):
        """(code, version) is decided by the services."""


class ItemForm(StyledFormMixin, forms.Form):
    number = forms.IntegerField(label=_("No."), min_value=1, max_value=9999)
    text = forms.CharField(label=_("Check item"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False)
    is_major_criterion = forms.BooleanField(label=_("Major hidden danger item"), required=False)
    criterion = forms.CharField(label=_("Criterion code"), max_length=30, required=False)
    default_deadline_days = forms.IntegerField(
        label=_("Deadline (days)"), min_value=1, max_value=365, initial=30
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


ItemFormSet = forms.formset_factory(ItemForm, extra=3, can_delete=True, max_num=500)


def item_initial(template: ChecklistTemplate | None) -> list[dict]:
    if template is None:
        return []
    return [
        {
            "number": item.number,
            "text": item.text,
            "legal_basis": item.legal_basis,
            "is_major_criterion": item.is_major_criterion,
            "criterion": item.criterion.code if item.criterion_id else "",
            "default_deadline_days": item.default_deadline_days,
        }
        for item in template.items.select_related("criterion")
    ]


class InspectionStartForm(StyledFormMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    template = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices, initial="routine")
    inspectors = forms.ModelMultipleChoiceField(
        label=_("Other inspectors"), queryset=User.objects.none(), required=False
    )
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        enterprises = Enterprise.objects.for_user(user).exclude(status="closed").only("id", "name")
        self.fields["enterprise"].queryset = enterprises
        if enterprises.count() > SELECT_LIMIT:
            self.fields["enterprise"].widget = forms.NumberInput(attrs={"placeholder": _("Enterprise ID")})
        self.fields["template"].queryset = ChecklistTemplate.objects.for_user(user).filter(status="active")
        county = (user.scope_prefix or "")[:6]
        self.fields["inspectors"].queryset = (
            User.objects.filter(is_active=True, role__in=INSPECTOR_ROLES, division__code__startswith=county)
            .exclude(pk=user.pk)
            .order_by("username")
        )
        self.style_fields()


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=ItemResult.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    photos = MultiplePhotoField(label=_("Photos"))


class FindingForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("Problem found"), widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False)
    is_major = forms.BooleanField(label=_("Major hidden danger"), required=False)
    criterion = forms.CharField(label=_("Criterion code"), max_length=30, required=False)
    deadline = forms.DateField(
        label=_("Rectification deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class FinishForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
