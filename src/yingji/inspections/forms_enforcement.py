"""Enforcement forms. Light checks only: the services validate again and their field errors come back
on these forms (so a penalty without a legal basis is refused in one place)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.inspections import rules_enforcement as rules
from yingji.inspections.models_checklists import Inspection
from yingji.inspections.models_enforcement import Discretion, DocumentKind, LeadSource
from yingji.registry.models import Enterprise

DATE = forms.DateInput(attrs={"type": "date"})


class _Form(StyledFormMixin, forms.Form):
    def __init__(self, *args, user=None, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.instance = user, instance
        if not self.is_bound:  # a bound form is styled by full_clean (after the subclass set its querysets)
            self.style_fields()


def _inspections(user):
    return (
        Inspection.objects.for_user(user)
        .filter(findings__isnull=False, rectification_order__isnull=True)
        .select_related("enterprise")
        .distinct()
        .order_by("-started_at")
    )


class InspectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.enterprise.name} · {obj.started_at:%Y-%m-%d}"


class OrderForm(_Form):
    inspection = InspectionChoiceField(label=_("Inspection"), queryset=Inspection.objects.none())
    deadline = forms.DateField(
        label=_("Rectification deadline"),
        required=False,
        widget=DATE,
        help_text=_("Empty: the latest deadline of the findings."),
    )
    requirements = forms.CharField(
        label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["inspection"].queryset = _inspections(user)


class DecisionForm(_Form):
    violation = forms.ChoiceField(
        label=_("Violation (discretion table)"),
        required=False,
        choices=[("", "—"), *[(v.code, f"{v.legal_basis} {v.summary}") for v in rules.DISCRETION_TABLE]],
    )
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=300)
    amount = forms.DecimalField(label=_("Fine (yuan)"), required=False, max_digits=12, decimal_places=2)
    discretion = forms.ChoiceField(
        label=_("Discretion level"), required=False, choices=[("", "—"), *Discretion.choices]
    )
    facts = forms.CharField(label=_("Facts"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    suspend = forms.BooleanField(
        label=_("Also order suspension of production (停产停业整顿)"), required=False
    )
    suspension_reason = forms.CharField(label=_("Reason for the suspension"), required=False)


class PenaltyForm(DecisionForm):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())

    field_order = ["enterprise"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        self.order_fields(["enterprise", *[n for n in self.fields if n != "enterprise"]])


class LeadForm(_Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices, initial=LeadSource.OTHER)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")


class PatternForm(_Form):
    division = DivisionChoiceField(label=_("Division"))
    kind = forms.ChoiceField(label=_("Document kind"), choices=DocumentKind.choices)
    pattern = forms.CharField(
        label=_("Pattern"),
        initial=rules.DEFAULT_PATTERN,
        required=False,
        max_length=100,
        help_text=_(
            "Placeholders: {abbr} abbreviation, {code} document code, {year}, {seq} (e.g. {seq:03d})."
        ),
    )
    abbr = forms.CharField(label=_("Abbreviation"), required=False, max_length=10)
    code = forms.CharField(label=_("Document code"), required=False, max_length=10)

    def __init__(self, *args, user=None, instance=None, **kwargs):
        if instance is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "division": instance.division_id,
                "kind": instance.kind,
                "pattern": instance.pattern,
                "abbr": instance.abbr,
                "code": instance.code,
            }
        super().__init__(*args, user=user, instance=instance, **kwargs)
        self.fields["division"].limit_to(user)
