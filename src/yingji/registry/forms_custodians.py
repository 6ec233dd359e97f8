"""Forms of the custodian pages: one `CustodianForm` per role (prefix = the role, so field errors of
the services, keyed "main-name", land on the right field) and one `ScheduleForm` per duty."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import StyledFormMixin
from yingji.registry import rules_custodians as rules


class CustodianForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    title = forms.CharField(label=_("Position"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    user = forms.ModelChoiceField(label=_("User account"), queryset=None, required=False)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].help_text = _("Optional: the account that receives the duty reminders.")
        self.style_fields()

    def entry(self, role: str) -> dict:
        return {"role": role, **self.cleaned_data}


class ScheduleForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Duty"), max_length=100, required=False)
    cadence_days = forms.IntegerField(
        label=_("Every (days)"), min_value=rules.MIN_CADENCE_DAYS, max_value=rules.MAX_CADENCE_DAYS
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    @staticmethod
    def initial_for(schedule) -> dict:
        return {
            "title": schedule.title,
            "cadence_days": schedule.cadence_days,
            "checklist": "\n".join(schedule.checklist or []),
            "is_active": schedule.is_active,
        }

    @staticmethod
    def initial_default(role: str) -> dict:
        default = rules.default_for(role)
        return {
            "title": default.title,
            "cadence_days": default.cadence_days,
            "checklist": "\n".join(default.checklist),
            "is_active": True,
        }

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data.get("title") or "",
            "cadence_days": data["cadence_days"],
            "checklist": (data.get("checklist") or "").splitlines(),
            "is_active": bool(data.get("is_active")),
        }


class DutyTaskFilterForm(forms.Form):
    """The filters of the duty list (plain GET values; an unknown value is ignored)."""

    STATES = (
        ("", _("All states")),
        ("due", _("Due")),
        ("overdue", _("Overdue")),
        ("missed", _("Missed")),
        ("done", _("Done")),
    )
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    q = forms.CharField(label=_("Source or enterprise"), required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        from yingji.registry.models_sources import CustodianRole

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *CustodianRole.choices]
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )
