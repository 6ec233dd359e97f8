"""The hidden-danger forms: reporting one, and one small form per action of the closed loop.

The forms only shape the input; the services decide (and name the field of any problem).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.core.models import Division
from yingji.hazards import rules
from yingji.hazards.models import (
    Grade,
    HazardCriterion,
    Source,
    SupervisionLevel,
    Treatment,
)
from yingji.hazards.rules import Action
from yingji.registry.models import Enterprise

ENTERPRISE_SELECT_LIMIT = 3000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files from one input; each is checked as an image by the services."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultiplePhotoField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def datetime_field(label, required=True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def note_field(label=None, required=False) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"), required=required, widget=forms.Textarea(attrs={"rows": 3})
    )


def criteria_choices() -> list[tuple[str, str]]:
    return [(c.code, str(c)) for c in HazardCriterion.objects.order_by("standard", "number")]


def criteria_groups(bound_field) -> list[dict]:
    """The criteria grouped by standard for the template: label, then each item with its clause."""
    chosen = {str(v) for v in (bound_field.value() or [])}
    labels = {key: label for key, (_file, label) in rules.CRITERIA_FILES.items()}
    groups: dict[str, dict] = {}
    for criterion in HazardCriterion.objects.order_by("standard", "number"):
        group = groups.setdefault(
            criterion.standard,
            {"label": labels.get(criterion.standard, criterion.standard), "items": []},
        )
        group["items"].append({"criterion": criterion, "checked": criterion.code in chosen})
    for group in groups.values():
        group["open"] = any(item["checked"] for item in group["items"])
    return list(groups.values())


class CriteriaMixin:
    @property
    def criteria_groups(self):
        return criteria_groups(self["criteria"])


class HazardReportForm(CriteriaMixin, StyledFormMixin, forms.Form):
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"), queryset=Enterprise.objects.none(), required=False
    )
    division = DivisionChoiceField(label=_("Division (when there is no enterprise)"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, initial=Grade.GENERAL)
    criteria = forms.MultipleChoiceField(
        label=_("Major hazard criteria"), required=False, widget=forms.CheckboxSelectMultiple
    )
    photos = MultiplePhotoField(label=_("Photos"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["criteria"].choices = criteria_choices()
        if user.is_enterprise_user:
            del self.fields["enterprise"]
            del self.fields["division"]
            self.fixed_enterprise = user.enterprise
        else:
            self.fixed_enterprise = None
            enterprises = Enterprise.objects.for_user(user).order_by("name")
            self.fields["enterprise"].queryset = enterprises
            if enterprises.count() > ENTERPRISE_SELECT_LIMIT:
                self.fields["enterprise"].widget = forms.NumberInput(
                    attrs={"placeholder": _("Enterprise ID")}
                )
            self.fields["division"].limit_to(user)
        self.style_fields()

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["enterprise"] = self.fixed_enterprise or data.get("enterprise")
        if data["enterprise"] is not None:
            data.pop("division", None)  # the enterprise's own division is used
        return data


# -- the actions --------------------------------------------------------------------------------------


class ActionForm(StyledFormMixin, forms.Form):
    has_files = False

    def __init__(self, *args, hazard, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.hazard, self.user = hazard, user
        self.prepare()
        self.style_fields()

    def prepare(self) -> None:
        pass

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)


class ConfirmForm(CriteriaMixin, ActionForm):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    treatment = forms.ChoiceField(label=_("Treatment"), choices=Treatment.choices, initial=Treatment.DEADLINE)
    due_at = datetime_field(_("Rectification deadline"), required=False)
    criteria = forms.MultipleChoiceField(
        label=_("Major hazard criteria"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = note_field()

    def prepare(self):
        self.fields["criteria"].choices = criteria_choices()
        if not self.is_bound:
            self.initial.setdefault("grade", self.hazard.grade)
            self.initial.setdefault("criteria", list(self.hazard.criteria.values_list("code", flat=True)))


class StartForm(ActionForm):
    measures = forms.CharField(
        label=_("Rectification measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible = forms.CharField(label=_("Responsible person"), max_length=50, required=False)
    funds = forms.DecimalField(
        label=_("Funds (yuan)"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    contingency = forms.CharField(
        label=_("Contingency plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = note_field()

    def prepare(self):
        if self.hazard.grade == Grade.MAJOR:  # 五到位: all of them (the service checks it too)
            for name in ("measures", "responsible", "funds", "contingency"):
                self.fields[name].required = True


class SubmitForm(ActionForm):
    has_files = True
    note = note_field(_("Rectification done"), required=True)
    photos = MultiplePhotoField(label=_("Photos after rectification"))


class NoteForm(ActionForm):
    note = note_field()


class RejectForm(ActionForm):
    note = note_field(_("Reason for the rejection"), required=True)


class ListForm(ActionForm):
    level = forms.ChoiceField(label=_("Level"), choices=SupervisionLevel.choices)
    authority = forms.ChoiceField(label=_("Supervising authority (division)"))
    unit = forms.CharField(label=_("Supervising unit"), max_length=100)
    document_no = forms.CharField(label=_("Document number"), max_length=60, required=False)
    due_at = datetime_field(_("Supervision deadline"))
    note = note_field()

    LEVELS = {"province": "province", "city": "city", "county": "county", "town": "town"}

    def prepare(self):
        offered = authority_choices(self.hazard, self.user)
        self.fields["authority"].choices = [(d.code, d.name) for d in offered]
        if not self.is_bound and offered:
            own = next((d for d in offered if d.code == self.user.division_id), offered[-1])
            self.initial.setdefault("authority", own.code)
            self.initial.setdefault("level", self.LEVELS.get(own.level, "county"))


def authority_choices(hazard, user) -> list[Division]:
    """The divisions that may list `hazard`: those containing it, inside the user's own jurisdiction."""
    prefix = getattr(user, "scope_prefix", None)
    if prefix is None:
        return []
    chain = [*hazard.division.ancestors(), hazard.division]
    return [d for d in chain if d.level != "village" and d.code.startswith(prefix)]


class RequestExtensionForm(ActionForm):
    new_due_at = datetime_field(_("New deadline"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class DecideExtensionForm(ActionForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Reject"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = note_field()


ACTION_FORMS: dict[str, type[ActionForm]] = {
    Action.CONFIRM: ConfirmForm,
    Action.START: StartForm,
    Action.SUBMIT: SubmitForm,
    Action.REJECT: RejectForm,
    Action.VERIFY: NoteForm,
    Action.SIGN_OFF: NoteForm,
    Action.LIST: ListForm,
    Action.REQUEST_EXTENSION: RequestExtensionForm,
    Action.DECIDE_EXTENSION: DecideExtensionForm,
}
