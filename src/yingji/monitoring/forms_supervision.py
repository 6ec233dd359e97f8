"""Forms of online supervision; the services do the real checks (their errors land on the fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.monitoring.models import DustSchedule, VideoResult
from yingji.registry.models import SUPERVISION_FLAGS, Enterprise

ENTERPRISE_SELECT_LIMIT = 500


def _enterprise_field(form, user, queryset=None) -> None:
    enterprises = (queryset if queryset is not None else Enterprise.objects.for_user(user)).order_by("name")
    form.fields["enterprise"].queryset = enterprises
    if enterprises.count() > ENTERPRISE_SELECT_LIMIT:
        form.fields["enterprise"].widget = forms.NumberInput(attrs={"placeholder": _("Enterprise ID")})


class RollCallForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    division = DivisionChoiceField(label=_("Division"), required=False)
    flags = forms.MultipleChoiceField(
        label=_("Supervision flags (any of)"),
        required=False,
        choices=list(SUPERVISION_FLAGS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.CharField(
        label=_("Industry codes (any of)"),
        required=False,
        help_text=_("GB/T 4754 codes or their beginnings, separated by commas, e.g. 26, 2614"),
    )
    minutes = forms.IntegerField(label=_("Minutes to answer"), initial=10)
    late_minutes = forms.IntegerField(label=_("Late answers accepted for (minutes)"), initial=30, min_value=0)

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["division"].limit_to(user)
        self.style_fields()

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "division": data["division"].code if data["division"] else "",
            "flags": data["flags"],
            "industries": [
                p.strip() for p in (data["industries"] or "").replace("，", ",").split(",") if p.strip()
            ],
            "minutes": data["minutes"],
            "late_minutes": data["late_minutes"],
        }


class VideoCheckForm(StyledFormMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    result = forms.ChoiceField(label=_("Result"), choices=VideoResult.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    screenshot = forms.FileField(label=_("Screenshot"), required=False)

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        _enterprise_field(self, user)
        self.style_fields()


class DustScheduleForm(StyledFormMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    area = forms.CharField(label=_("Area"), max_length=100)
    windows = forms.CharField(
        label=_("Time windows"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as HH:MM-HH:MM, e.g. 08:00-09:00"),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user, instance: DustSchedule | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {"area": instance.area, "windows": "\n".join(instance.windows), "active": instance.active},
            )
        super().__init__(*args, **kwargs)
        if user.is_enterprise_user or instance is not None:
            del self.fields["enterprise"]
        else:
            _enterprise_field(self, user, Enterprise.objects.for_user(user).filter(dust_explosion=True))
        self.style_fields()

    def windows_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["windows"].splitlines() if line.strip()]


class DustCheckinForm(StyledFormMixin, forms.Form):
    schedule = forms.ModelChoiceField(label=_("Area"), queryset=DustSchedule.objects.none())
    done_at = forms.DateTimeField(
        label=_("Cleaned at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now."),
    )
    photo = forms.FileField(label=_("Photo"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule"].queryset = DustSchedule.objects.for_user(user).filter(active=True)
        self.style_fields()
