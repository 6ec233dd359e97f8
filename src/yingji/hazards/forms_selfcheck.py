"""Forms and filters of the self-check pages (日周月排查)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.accounts.models import User
from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet
from yingji.core.forms import StyledFormMixin
from yingji.hazards import services_selfcheck as services
from yingji.hazards.models import CheckPlan, CheckTask, Frequency, ItemResult, PlanKind, TaskStatus
from yingji.registry.models import Enterprise

ENTERPRISE_SELECT_LIMIT = 2000


class EnterpriseField(forms.ModelChoiceField):
    """An enterprise in the user's jurisdiction: a list when short, else its id or USCC."""

    default_error_messages = {"invalid_choice": _("Unknown enterprise, or outside your jurisdiction.")}

    def __init__(self, user, **kwargs):
        super().__init__(queryset=Enterprise.objects.for_user(user).order_by("name"), **kwargs)
        if self.queryset.count() > ENTERPRISE_SELECT_LIMIT:
            self.widget = forms.TextInput(attrs={"placeholder": _("Unified social credit code")})

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if isinstance(value, str) and len(value) == 18:
            found = self.queryset.filter(uscc=value.upper()).first()
            if found is None:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return found
        return super().to_python(value)


class CheckPlanForm(StyledFormMixin, forms.Form):
    enterprise = forms.Field(label=_("Enterprise"))  # replaced per user in __init__
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a plan without an end. For a one-off check: the due date."),
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    items = forms.CharField(
        label=_("Check items"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One item per line; optionally the basis after a |, e.g. 消防通道畅通 | GB 50016"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user, plan: CheckPlan | None = None, **kwargs):
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": plan.name,
                "kind": plan.kind,
                "frequency": plan.frequency,
                "starts_on": plan.starts_on,
                "ends_on": plan.ends_on,
                "assignee": plan.assignee_id,
                "is_active": plan.is_active,
                "items": services.format_item_lines(plan),
            }
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan is not None or user.is_enterprise_user:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"] = EnterpriseField(user, label=_("Enterprise"))
        if plan is None:
            del self.fields["is_active"]
        enterprise_id = plan.enterprise_id if plan is not None else user.enterprise_id
        if enterprise_id:
            self.fields["assignee"].queryset = User.objects.filter(
                enterprise_id=enterprise_id, is_active=True
            )
        else:
            del self.fields["assignee"]  # chosen on the edit page, once the enterprise is known
        self.style_fields()

    def clean_items(self):
        lines = services.parse_item_lines(self.cleaned_data.get("items", ""))
        if not lines:
            raise forms.ValidationError(_("Add at least one check item."))
        return lines

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if "enterprise" not in self.fields:
            data.pop("enterprise", None)
        return data


class CheckPlanFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    division = DivisionPrefixFilter(label=_("Division"), field_name="enterprise__division")
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), field_name="enterprise_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PlanKind.choices)
    is_active = django_filters.ChoiceFilter(
        label=_("Active"), choices=[("true", _("Yes")), ("false", _("No"))], method="active"
    )

    class Meta:
        model = CheckPlan
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(enterprise__name__contains=value))

    def active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")


class CheckTaskFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TaskStatus.choices)
    division = DivisionPrefixFilter(label=_("Division"), field_name="enterprise__division")
    enterprise = django_filters.NumberFilter(label=_("Enterprise"), field_name="enterprise_id")
    plan = django_filters.NumberFilter(label=_("Plan"), field_name="plan_id")

    class Meta:
        model = CheckTask
        fields: list[str] = []


RESULT_CHOICES = ItemResult.choices


class RateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The end date cannot be before the start date."))
        return cleaned
