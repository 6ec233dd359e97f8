"""Forms of the plan pages; the services validate again and their field errors come back here."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.plans.models import Drill, EmergencyPlan, PlanContact, PlanLevel, PlanStep, PlanTask
from yingji.registry.models import Enterprise

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(StyledFormMixin, forms.ModelForm):
    division = DivisionChoiceField(label=_("Division"), required=False)
    incident_types = forms.CharField(
        label=_("Incident types covered"),
        required=False,
        help_text=_("Comma-separated kinds or subtypes (accident, natural, hazchem, flood …); empty = all."),
    )

    class Meta:
        model = EmergencyPlan
        fields = [
            "title",
            "owner_kind",
            "enterprise",
            "division",
            "level",
            "plan_type",
            "incident_types",
            "owner",
            "version",
            "status",
            "approved_at",
            "approved_by",
            "filing_number",
            "filed_at",
            "summary",
        ]
        widgets = {"approved_at": DATE, "filed_at": DATE, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["division"].limit_to(user)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).only("id", "name")
        if self.instance.pk:
            self.initial["incident_types"] = ", ".join(self.instance.incident_types or [])
        if user.is_enterprise_user:
            for name in ("owner_kind", "enterprise", "division", "level"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.initial.update(owner_kind="enterprise", enterprise=user.enterprise_id, level="enterprise")
        self.style_fields()

    def _post_clean(self):  # the service validates the model (with the right division)
        pass

    def clean(self):
        data = super().clean()
        if self.user.is_enterprise_user:
            data["owner_kind"] = "enterprise"
            data["enterprise"] = Enterprise.objects.filter(pk=self.user.enterprise_id).first()
            data["level"] = "enterprise"
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("owner_kind") == "enterprise":
            data.pop("division", None)
        elif data.get("division") is None:
            self.add_error("division", _("The division is required."))
            data.pop("division", None)
        return data


class ReviewForm(StyledFormMixin, forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class LevelForm(StyledFormMixin, forms.ModelForm):
    accident_grades = forms.MultipleChoiceField(
        label=_("Accident grades"),
        required=False,
        choices=[
            ("general", _("General")),
            ("larger", _("Larger")),
            ("major", _("Major")),
            ("especially_major", _("Especially major")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PlanLevel
        fields = [
            "code",
            "name",
            "trigger_text",
            "min_deaths",
            "min_serious_injuries",
            "min_direct_loss_yuan",
            "accident_grades",
        ]
        widgets = {"trigger_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.fields["accident_grades"].widget.attrs["class"] = "form-check-input"

    def _post_clean(self):
        pass


class TaskForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PlanTask
        fields = ["level", "number", "role", "task", "deadline_minutes"]
        widgets = {"task": forms.TextInput()}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = plan.levels.all()
        self.style_fields()

    def _post_clean(self):
        pass


class ContactForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PlanContact
        fields = ["level", "role", "name", "phone"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = plan.levels.all()
        self.fields["level"].required = False
        self.style_fields()

    def _post_clean(self):
        pass


class StepForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PlanStep
        fields = ["number", "name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def _post_clean(self):
        pass


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("PDF or DOCX"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(
            {"class": "form-control", "accept": ".pdf,.docx,application/pdf"}
        )


class DrillForm(StyledFormMixin, forms.ModelForm):
    problems = forms.CharField(
        label=_("Problems found"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One problem a line."),
    )

    class Meta:
        model = Drill
        fields = [
            "plan",
            "held_on",
            "kind",
            "participant_count",
            "participant_units",
            "scenario",
            "score",
            "evaluation",
        ]
        widgets = {
            "held_on": DATE,
            "participant_units": forms.Textarea(attrs={"rows": 2}),
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "evaluation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = EmergencyPlan.objects.for_user(user).only("id", "title")
        if self.instance.pk:
            del self.fields["problems"]
        self.style_fields()

    def _post_clean(self):
        pass


class ProblemForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("Problem"), widget=forms.TextInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
