import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core import divisions


class DivisionCodeField(forms.CharField):
    """Accepts 2/4/6/9/12-digit division codes and cleans them to 12 digits."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        code = divisions.normalise_code(value)
        if not divisions.is_valid_code(code):
            raise forms.ValidationError(_("Not a division code."), code="invalid_division")
        return code


class DivisionPrefixFilter(django_filters.CharFilter):
    """Filter by a division code: the record's division lies in that code's subtree."""

    field_class = DivisionCodeField

    def __init__(self, *args, field_name="division", **kwargs):
        super().__init__(*args, field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        prefix = divisions.subtree_prefix(value, divisions.level_of(value))
        return qs.filter(**{f"{self.field_name}_id__startswith": prefix})
