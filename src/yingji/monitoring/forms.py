"""Forms of the monitoring pages: device and point configuration, alarm actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import StyledFormMixin
from yingji.monitoring.models import Device, Point
from yingji.monitoring.services_config import DEVICE_FIELDS, POINT_FIELDS
from yingji.registry.models import Enterprise, MajorHazardSource


class DeviceForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Device
        fields = list(DEVICE_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        self.fields["source"].queryset = MajorHazardSource.objects.for_user(user).select_related("enterprise")
        self.fields["source"].label_from_instance = lambda source: f"{source.enterprise.name} · {source.name}"
        self.style_fields()

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in DEVICE_FIELDS}


class PointForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Point
        fields = list(POINT_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in POINT_FIELDS}


class AcknowledgeForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandleForm(StyledFormMixin, forms.Form):
    disposal = forms.CharField(
        label=_("Disposal notes"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
