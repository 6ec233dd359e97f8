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
        return qs.filter(**{f"{self.field_name}__code__startswith": prefix})


DIVISION_SELECT_LIMIT = 3000


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose division filters offer the user's own divisions as a list (when not too many)."""

    @property
    def form(self):
        form = super().form
        user = getattr(self.request, "user", None)
        if user is None or getattr(form, "_divisions_offered", False):
            return form
        form._divisions_offered = True
        for name, filter_ in self.filters.items():
            if isinstance(filter_, DivisionPrefixFilter):
                choices = division_choices(user)
                if choices is not None:
                    form.fields[name].widget = forms.Select(choices=[("", _("All")), *choices])
        return form


def division_choices(user) -> list[tuple[str, str]] | None:
    """(code, indented name) for the divisions below the user's own, or None when there are too many."""
    from yingji.core.models import Division

    queryset = Division.objects.for_user(user).exclude(level__in=["province", "city"])
    if user.division_id:
        queryset = queryset.exclude(code=user.division_id)
    rows = list(queryset.values_list("code", "name", "level")[: DIVISION_SELECT_LIMIT + 1])
    if len(rows) > DIVISION_SELECT_LIMIT:
        return None
    indent = {"county": "", "town": "", "village": "\u3000"}
    return [(code, indent[level] + name) for code, name, level in rows]
