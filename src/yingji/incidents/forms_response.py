"""Response forms: dispatch, dispatch status, supplies, shelter, closing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.incidents.forms_incidents import _UserForm
from yingji.incidents.models import DispatchStatus


class DispatchForm(_UserForm):
    team = forms.IntegerField(widget=forms.HiddenInput)
    task = forms.CharField(label=_("Task"), max_length=300, required=False)


class DispatchStatusForm(_UserForm):
    status = forms.ChoiceField(label=_("Status"), choices=DispatchStatus.choices)


class SupplyForm(_UserForm):
    stock = forms.IntegerField(label=_("Stock line"))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ShelterForm(_UserForm):
    shelter = forms.IntegerField(label=_("Shelter"))
    occupancy = forms.IntegerField(label=_("People in the shelter"))


class CloseForm(_UserForm):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
