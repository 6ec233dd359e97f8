"""Forms of the disaster report pages; the services check the figures and their errors come back
on the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.incidents import rules_reports as rules
from yingji.incidents.models_reports import DisasterEvent, DisasterReport, ReportStage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventForm(StyledFormMixin, forms.ModelForm):
    division = DivisionChoiceField(label=_("Division"))

    class Meta:
        model = DisasterEvent
        fields = ["title", "hazard_type", "started_on", "division", "incident", "description"]
        widgets = {"started_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from yingji.incidents.models import Incident

        self.fields["division"].limit_to(user)
        self.fields["division"].queryset = self.fields["division"].queryset.filter(
            level__in=["county", "town"]
        )
        self.fields["incident"].queryset = (
            Incident.objects.for_user(user).filter(kind="natural").order_by("-id")
        )
        self.fields["incident"].required = False
        self.style_fields()

    def _post_clean(self):
        pass


class EndForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("End date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class FiguresForm(StyledFormMixin, forms.Form):
    """One field per indicator, in the form's order; empty = not given."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for indicator in rules.INDICATORS:
            label = DisasterReport._meta.get_field(indicator.field).verbose_name
            if indicator.decimal:
                field: forms.Field = forms.DecimalField(
                    label=label, required=False, decimal_places=2, max_digits=14
                )
            else:
                field = forms.IntegerField(label=label, required=False)
            field.widget.attrs.update({"inputmode": "decimal" if indicator.decimal else "numeric"})
            self.fields[indicator.field] = field
        self.order_fields([*rules.FIELDS, "note"])
        self.style_fields()

    def groups(self):
        out: list[tuple[str, list]] = []
        for indicator in rules.INDICATORS:
            if not out or out[-1][0] != str(indicator.group):
                out.append((str(indicator.group), []))
            out[-1][1].append(self[indicator.field])
        return out


class SubmitForm(StyledFormMixin, forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=ReportStage.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("return", _("Return"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
