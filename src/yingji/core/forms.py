from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core import divisions
from yingji.core.models import Division

SELECT_LIMIT = 3000


class StyledFormMixin:
    """Give every widget Tabler's classes, and mark invalid fields."""

    def style_fields(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        self.style_fields()  # above this many choices the field becomes a code input


class DivisionChoiceField(forms.ModelChoiceField):
    """A division inside the user's jurisdiction, at county level or below."""

    default_error_messages = {
        "invalid_choice": _("Unknown division, or outside your jurisdiction."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Division.objects.none(), **kwargs)

    def limit_to(self, user):
        self.queryset = Division.objects.for_user(user).filter(level__in=["county", "town", "village"])
        if self.queryset.count() > SELECT_LIMIT:
            self.widget = forms.TextInput(attrs={"placeholder": _("12-digit division code")})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return super().to_python(divisions.normalise_code(value))

    def label_from_instance(self, obj):
        indent = {"county": "", "town": "\u3000", "village": "\u3000\u3000"}.get(obj.level, "")
        return f"{indent}{obj.name} ({obj.code})"
