"""The warning draft/edit form, shared by the pages and the API (which fills it from JSON).

The area is drawn two ways at once: divisions chosen from the user's own, and polygons clicked on the
map (a JSON list of [lat, lon] rings, closed here). CAP severity, urgency and certainty are separate
from the colour level; their initial values follow the level and the user may change them.
"""

from __future__ import annotations

import datetime
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.alerts.events import EVENT_CHOICES, EVENT_TYPES
from yingji.alerts.models import CapScope, Certainty, Level, Severity, Source, Urgency, Warning
from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.core.models import Division

# The usual CAP triple for each colour (the defaults the form offers; real messages may differ).
LEVEL_DEFAULTS = {
    "red": {"severity": "Extreme", "urgency": "Immediate", "certainty": "Likely"},
    "orange": {"severity": "Severe", "urgency": "Expected", "certainty": "Likely"},
    "yellow": {"severity": "Moderate", "urgency": "Expected", "certainty": "Likely"},
    "blue": {"severity": "Minor", "urgency": "Future", "certainty": "Possible"},
}
DIVISION_LIMIT = 3000
MAX_POLYGONS = 20
MAX_POINTS = 500
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DEFAULT_DURATION = datetime.timedelta(hours=24)  # a new draft's expiry after its onset, to change


def _datetime_field(label, required=False):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class WarningForm(StyledFormMixin, forms.Form):
    division = DivisionChoiceField(label=_("Jurisdiction"))
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial="internal")
    event_type = forms.ChoiceField(label=_("Event type"), choices=EVENT_CHOICES)
    event = forms.CharField(
        label=_("Event (CAP text)"), max_length=200, required=False, help_text=_("Empty: the event type.")
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    severity = forms.ChoiceField(label=_("CAP severity"), choices=Severity.choices)
    urgency = forms.ChoiceField(label=_("CAP urgency"), choices=Urgency.choices)
    certainty = forms.ChoiceField(label=_("CAP certainty"), choices=Certainty.choices)
    headline = forms.CharField(label=_("Headline"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    instruction = forms.CharField(
        label=_("Instruction (what people must do)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    onset = _datetime_field(_("Onset"))
    expires = _datetime_field(_("Expires"), required=True)
    cap_scope = forms.ChoiceField(label=_("CAP scope"), choices=CapScope.choices, initial="Public")
    area_desc = forms.CharField(
        label=_("Area description"),
        max_length=500,
        required=False,
        help_text=_("Empty: the divisions' names."),
    )
    area_divisions = forms.ModelMultipleChoiceField(
        label=_("Area: divisions"),
        queryset=Division.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    polygons = forms.CharField(
        label=_("Area: polygons drawn on the map"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, warning: Warning | None = None, **kwargs):
        self.user = user
        self.warning = warning
        if warning is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(warning)
        super().__init__(*args, **kwargs)
        self.fields["division"].limit_to(user)
        self.fields["area_divisions"].queryset = Division.objects.for_user(user).filter(
            level__in=["county", "town", "village"]
        )
        self.fields["area_divisions"].label_from_instance = self.fields["division"].label_from_instance
        if not self.is_bound and warning is None:
            self.initial.setdefault("division", user.division_id)
            self.initial.setdefault("level", "blue")
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("onset", now)
            self.initial.setdefault("expires", now + DEFAULT_DURATION)
            for name, value in LEVEL_DEFAULTS["blue"].items():
                self.initial.setdefault(name, value)
        self.style_fields()

    # -- checks --------------------------------------------------------------------------------------

    def clean_polygons(self) -> list[list[list[float]]]:
        raw = self.cleaned_data.get("polygons") or ""
        if isinstance(raw, list):
            data = raw
        elif not raw.strip():
            return []
        else:
            try:
                data = json.loads(raw)
            except ValueError:
                raise forms.ValidationError(_("The polygons could not be read."), code="invalid") from None
        if not isinstance(data, list) or len(data) > MAX_POLYGONS:
            raise forms.ValidationError(_("The polygons could not be read."), code="invalid")
        return [self._clean_polygon(number, ring) for number, ring in enumerate(data, start=1)]

    def _clean_polygon(self, number: int, ring) -> list[list[float]]:
        try:
            points = [[float(lat), float(lon)] for lat, lon in ring][:MAX_POINTS]
        except (TypeError, ValueError):
            raise forms.ValidationError(
                _("Polygon {n}: every point is a [latitude, longitude] pair.").format(n=number),
                code="invalid",
            ) from None
        if points and points[0] == points[-1]:
            points = points[:-1]
        distinct = {tuple(p) for p in points}
        if len(distinct) < 3:
            raise forms.ValidationError(
                _("Polygon {n} has fewer than three points; click at least three points on the map.").format(
                    n=number
                ),
                code="too_few_points",
            )
        if any(not (-90 <= lat <= 90 and -180 <= lon <= 180) for lat, lon in points):
            raise forms.ValidationError(
                _("Polygon {n}: a point lies outside the valid latitudes and longitudes.").format(n=number),
                code="invalid",
            )
        return points + [points[0]]  # closed, as CAP wants it

    def clean(self):
        data = super().clean()
        onset, expires = data.get("onset"), data.get("expires")
        if onset and expires and expires <= onset:
            self.add_error("expires", _("The expiry must be after the onset."))
        if (
            "area_divisions" in data
            and "polygons" in data
            and not data["area_divisions"]
            and not data["polygons"]
        ):
            self.add_error("area_divisions", _("Choose the area's divisions or draw a polygon on the map."))
        return data

    # -- for the services ------------------------------------------------------------------------------

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        event_type = data["event_type"]
        divisions = list(data["area_divisions"])
        area_desc = data["area_desc"].strip() or "、".join(d.name for d in divisions) or data["division"].name
        fields = {
            name: data[name]
            for name in (
                "division", "source", "event_type", "level", "severity", "urgency", "certainty",
                "headline", "description", "instruction", "onset", "expires", "cap_scope",
            )
        }  # fmt: skip
        fields["event"] = data["event"].strip() or EVENT_TYPES[event_type][0]
        fields["category"] = EVENT_TYPES[event_type][1]
        area = {
            "area_desc": area_desc[:500],
            "division_codes": [d.code for d in divisions],
            "polygons": data["polygons"],
            "circles": self._kept_circles(),
        }
        return {**fields, "areas": [area]}

    def _kept_circles(self) -> list:
        """Circles come only from CAP messages; editing keeps them."""
        if self.warning is None:
            return []
        return [circle for area in self.warning.areas.all() for circle in area.circles]


def initial_from(warning: Warning) -> dict:
    areas = list(warning.areas.all())
    return {
        "division": warning.division_id,
        "source": warning.source,
        "event_type": warning.event_type,
        "event": warning.event,
        "level": warning.level,
        "severity": warning.severity,
        "urgency": warning.urgency,
        "certainty": warning.certainty,
        "headline": warning.headline,
        "description": warning.description,
        "instruction": warning.instruction,
        "onset": warning.onset,
        "expires": warning.expires,
        "cap_scope": warning.cap_scope,
        "area_desc": "；".join(a.area_desc for a in areas),
        "area_divisions": [d.pk for a in areas for d in a.divisions.all()],
        "polygons": json.dumps([p for a in areas for p in a.polygons]),
    }


class ActionForm(forms.Form):
    """Approve, issue and cancel take no fields: only a CSRF-protected POST."""
