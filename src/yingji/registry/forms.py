from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.registry.models import SUPERVISION_FLAGS, Enterprise
from yingji.registry.services import EDITABLE_FIELDS


class EnterpriseForm(StyledFormMixin, forms.ModelForm):
    division = DivisionChoiceField(label=_("Division"))

    class Meta:
        model = Enterprise
        fields = EDITABLE_FIELDS
        widgets = {"address": forms.TextInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].limit_to(user)
        if user.is_enterprise_user:
            self.fields["division"].disabled = True
        for name in ("longitude", "latitude"):
            self.fields[name].widget.attrs["step"] = "0.000001"
        self.style_fields()

    def clean_uscc(self):
        return (self.cleaned_data.get("uscc") or "").strip().upper()

    # Used by the template to group the flag checkboxes.
    @property
    def flag_fields(self):
        return [self[name] for name in SUPERVISION_FLAGS]

    @property
    def main_fields(self):
        return [self[name] for name in EDITABLE_FIELDS if name not in SUPERVISION_FLAGS]
