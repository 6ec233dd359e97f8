"""Intake, numbers, manual timeline entry and investigation forms (the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.incidents.models import SUBTYPE_CHOICES, IncidentChannel, IncidentKind
from yingji.registry.models import Enterprise

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _UserForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, user=None, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        if not self.is_bound:  # bound forms are styled after validation (StyledFormMixin.full_clean)
            self.style_fields()


def _count(label):
    return forms.IntegerField(label=label, min_value=0, initial=0)


class IncidentForm(_UserForm):
    kind = forms.ChoiceField(label=_("Type"), choices=IncidentKind.choices)
    subtype = forms.ChoiceField(label=_("Sub-type"), choices=SUBTYPE_CHOICES)
    title = forms.CharField(label=_("Title"), max_length=200)
    occurred_at = forms.DateTimeField(label=_("Occurred"), widget=DATETIME)
    channel = forms.ChoiceField(label=_("Channel"), choices=IncidentChannel.choices)
    division = DivisionChoiceField(label=_("Place (division)"), required=False)
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"), queryset=Enterprise.objects.none(), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    deaths = _count(_("Deaths"))
    missing = _count(_("Missing"))
    serious_injuries = _count(_("Seriously injured (incl. acute poisoning)"))
    trapped = _count(_("Trapped"))
    direct_loss_yuan = forms.DecimalField(
        label=_("Direct economic loss (yuan)"), min_value=0, initial=0, max_digits=16, decimal_places=2
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    reporter = forms.CharField(label=_("Reporter"), max_length=100, required=False)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), max_length=30, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user is not None:
            self.fields["division"].limit_to(user)
            self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
            if getattr(user, "is_enterprise_user", False):
                del self.fields["division"]
                self.fields["enterprise"].required = True
        if not self.is_bound:
            self.style_fields()

    def clean(self):
        data = super().clean()
        if not data.get("division") and not data.get("enterprise"):
            self.add_error("division", _("Choose the place or the enterprise."))
        return data


class NumbersForm(_UserForm):
    deaths = _count(_("Deaths"))
    missing = _count(_("Missing"))
    serious_injuries = _count(_("Seriously injured (incl. acute poisoning)"))
    trapped = _count(_("Trapped"))
    direct_loss_yuan = forms.DecimalField(
        label=_("Direct economic loss (yuan)"), min_value=0, max_digits=16, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TimelineEntryForm(_UserForm):
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}))
    at = forms.DateTimeField(label=_("Time"), required=False, widget=DATETIME)


class InvestigationForm(_UserForm):
    team = forms.CharField(label=_("Investigation team"), widget=forms.Textarea(attrs={"rows": 2}))
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    report_date = forms.DateField(label=_("Report date"), required=False, widget=DATE)


class UnitForm(_UserForm):
    name = forms.CharField(label=_("Responsible unit"), max_length=200)
    responsibility = forms.CharField(label=_("Responsibility"), required=False)
    handling = forms.CharField(label=_("Handling proposed"), required=False)


class MeasureForm(_UserForm):
    text = forms.CharField(label=_("Measure"))
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE)


class DeadlineForm(_UserForm):
    due_at = forms.DateTimeField(label=_("Deadline"), widget=DATETIME)


class ReviewDoneForm(_UserForm):
    findings = forms.CharField(label=_("Findings of the review"), widget=forms.Textarea(attrs={"rows": 2}))
