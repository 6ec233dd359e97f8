"""Forms of the plan, draw, conflict and classification pages; the services validate again."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import DivisionCodeField, division_choices
from yingji.core.forms import StyledFormMixin
from yingji.core.models import Division
from yingji.inspections import coverage, statistics
from yingji.inspections.models_plans import EnterpriseClass, InspectorGroup
from yingji.registry import industries
from yingji.registry.models import SUPERVISION_FLAGS, Enterprise


def _division_field(user, label) -> forms.Field:
    """The user's own division and those below it, as a list when not too many."""
    choices = division_choices(user)
    own = [(user.division_id, user.division.name)] if getattr(user, "division_id", None) else []
    if choices is None:
        return DivisionCodeField(label=label, initial=user.division_id)
    return forms.ChoiceField(label=label, choices=[*own, *choices], initial=user.division_id)


def _division(user, code: str) -> Division | None:
    return Division.objects.for_user(user).filter(code=code).first()


class _Styled(StyledFormMixin, forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class PlanForm(_Styled):
    division = forms.CharField(label=_("Division"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    generate = forms.BooleanField(
        label=_("Fill in the enterprises by the classification and frequencies"), required=False, initial=True
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["division"] = _division_field(user, _("Division"))
        self.order_fields(["division", "year", "title", "generate"])

    def clean_division(self):
        division = _division(self.user, self.cleaned_data["division"])
        if division is None:
            raise forms.ValidationError(_("Outside your jurisdiction."), code="scope")
        return division


def _inspectors(user):
    return (
        get_user_model()
        .objects.filter(role="inspector", is_active=True)
        .filter(division__code__startswith=(user.scope_prefix or "")[:6])
    )


class GroupForm(_Styled):
    name = forms.CharField(label=_("Name"), max_length=100)
    members = forms.ModelMultipleChoiceField(label=_("Inspectors"), queryset=get_user_model().objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["members"].queryset = _inspectors(user).order_by("username")
        self.fields["members"].widget.attrs["size"] = 6


class EntryForm(_Styled):
    enterprise = forms.IntegerField(label=_("Enterprise ID"))
    month = forms.IntegerField(label=_("Month"))
    group = forms.ModelChoiceField(
        label=_("Inspector group"), queryset=InspectorGroup.objects.none(), required=False
    )

    def __init__(self, *args, user=None, plan=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["group"].queryset = InspectorGroup.objects.filter(plan=plan)

    def clean_enterprise(self):
        enterprise = Enterprise.objects.for_user(self.user).filter(pk=self.cleaned_data["enterprise"]).first()
        if enterprise is None:
            raise forms.ValidationError(_("No such enterprise in your jurisdiction."), code="invalid_choice")
        return enterprise


class EntryEditForm(_Styled):
    month = forms.IntegerField(label=_("Month"))
    group = forms.ModelChoiceField(
        label=_("Inspector group"), queryset=InspectorGroup.objects.none(), required=False
    )

    def __init__(self, *args, user=None, plan=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["group"].queryset = InspectorGroup.objects.filter(plan=plan)


class DrawForm(_Styled):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    division = forms.CharField(label=_("Division"))
    enterprise_class = forms.ChoiceField(
        label=_("Class"), choices=[("", _("All")), *EnterpriseClass.choices], required=False
    )
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", _("All")), *industries.CHOICES], required=False
    )
    count = forms.IntegerField(label=_("Enterprises to draw"), min_value=1)
    per_enterprise = forms.IntegerField(label=_("Inspectors per enterprise"), initial=2)
    seed = forms.IntegerField(label=_("Seed (empty: random)"), required=False, min_value=0)
    exclude_previous = forms.BooleanField(
        label=_("Exclude the inspectors of the previous draw"), required=False, initial=True
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["division"] = _division_field(user, _("Division"))
        self.order_fields(["title", "division"])

    def clean_division(self):
        division = _division(self.user, self.cleaned_data["division"])
        if division is None:
            raise forms.ValidationError(_("Outside your jurisdiction."), code="scope")
        return division


class ConflictForm(_Styled):
    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=get_user_model().objects.none())
    enterprise = forms.IntegerField(label=_("Enterprise ID"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["inspector"].queryset = _inspectors(user).order_by("username")

    def clean_enterprise(self):
        enterprise = Enterprise.objects.for_user(self.user).filter(pk=self.cleaned_data["enterprise"]).first()
        if enterprise is None:
            raise forms.ValidationError(_("No such enterprise in your jurisdiction."), code="invalid_choice")
        return enterprise


RISK_CHOICES = [
    ("major", _("Major risk")),
    ("significant", _("Significant risk")),
    ("general", _("General risk")),
    ("low", _("Low risk")),
]


class ConfigForm(_Styled):
    flags = forms.MultipleChoiceField(
        label=_("Supervision flags that make an enterprise key"),
        choices=list(SUPERVISION_FLAGS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_levels = forms.MultipleChoiceField(
        label=_("Risk levels that make an enterprise key"),
        choices=RISK_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.CharField(
        label=_("Industry code prefixes that make an enterprise key (comma separated)"), required=False
    )
    open_major_hazards = forms.IntegerField(
        label=_("Open major hidden dangers from (0 = not counted)"), min_value=0
    )
    findings_last_year = forms.IntegerField(label=_("Findings last year from (0 = not counted)"), min_value=0)
    key_per_year = forms.IntegerField(
        label=_("Inspections per year of a key enterprise"), min_value=1, max_value=12
    )
    general_per_year = forms.IntegerField(
        label=_("Inspections per year of a general enterprise"), min_value=1, max_value=12
    )
    general_share = forms.IntegerField(
        label=_("Share of general enterprises inspected (%)"), min_value=1, max_value=100
    )

    def style_fields(self):
        super().style_fields()
        for name in ("flags", "risk_levels"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_industries(self):
        text = self.cleaned_data["industries"].replace("，", ",")
        return [p.strip() for p in text.split(",") if p.strip()]


class StatisticsForm(coverage.PeriodForm):
    group_by = forms.ChoiceField(
        label=_("Group by"), required=False, choices=list(statistics.GROUP_BY.items())
    )

    def clean(self):
        data = super().clean()
        data["group_by"] = data.get("group_by") or "town"
        return data


class StyledCoverageForm(StyledFormMixin, coverage.CoverageForm):
    pass


class StyledStatisticsForm(StyledFormMixin, StatisticsForm):
    pass
