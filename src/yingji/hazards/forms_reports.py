"""Forms of public reports: the public page (rendering and light parsing; the service validates) and
the bureau's accept / dismiss / reward actions."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import StyledFormMixin
from yingji.hazards.models import Grade, HazardCriterion
from yingji.hazards.services_reports import HONEYPOT_FIELD, public_towns
from yingji.registry.models import Enterprise


class PublicReportForm(StyledFormMixin, forms.Form):
    town = forms.ChoiceField(label=_("Town or street"))
    village = forms.CharField(label=_("Village or community"), required=False)
    enterprise_name = forms.CharField(
        label=_("Enterprise or place (if known)"), max_length=200, required=False
    )
    location = forms.CharField(label=_("Where"), max_length=200)
    description = forms.CharField(label=_("What did you see?"), widget=forms.Textarea(attrs={"rows": 5}))
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("Your phone (optional)"), max_length=20, required=False)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    challenge_token = forms.CharField(required=False, widget=forms.HiddenInput)
    challenge_answer = forms.CharField(label=_("Answer"), max_length=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", "---------")] + [
            (d.code, d.name) for d in public_towns().only("code", "name")
        ]
        self.fields["challenge_answer"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["reporter_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        # The honeypot: hidden from people by CSS, filled in by bots.
        self.fields[HONEYPOT_FIELD] = forms.CharField(required=False, label=_("Leave this empty"))
        self.fields[HONEYPOT_FIELD].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.style_fields()

    @property
    def visible_main(self):
        names = ("enterprise_name", "location", "description")
        return [self[n] for n in names]

    @property
    def contact_fields(self):
        return [self["reporter_name"], self["reporter_phone"]]


class TrackForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocapitalize": "characters", "autocomplete": "off"})
        self.style_fields()


class AcceptForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title of the hidden danger"), max_length=200)
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"), queryset=Enterprise.objects.none(), required=False
    )
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, initial=Grade.GENERAL)
    criteria = forms.ModelMultipleChoiceField(
        label=_("Major hazard criteria"),
        queryset=HazardCriterion.objects.all(),
        to_field_name="code",
        required=False,
    )

    def __init__(self, *args, user, report, **kwargs):
        super().__init__(*args, **kwargs)
        town_prefix = report.division_id[:9]
        self.fields["enterprise"].queryset = (
            Enterprise.objects.for_user(user).filter(division__code__startswith=town_prefix).order_by("name")
        )
        self.fields["criteria"].widget.attrs["size"] = 6
        self.style_fields()


class DismissForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissal"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class RewardForm(StyledFormMixin, forms.Form):
    amount_yuan = forms.DecimalField(
        label=_("Reward (yuan)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
