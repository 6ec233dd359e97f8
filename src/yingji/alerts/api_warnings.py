"""/api/v1/alerts/warnings: the warning pages for machines and the mobile app — the same filters,
the same form checks (fed from JSON), the same services and `rules.refusal` deciding what may be done.

Invalid fields are a 400 `invalid_data` naming them; a refused action is a 409 with the rules' code
(`same_person`, `approval_required`, `expired`, `invalid_state`) and the field it concerns; 403
`forbidden` without the permission; 404 outside the jurisdiction. Nothing is changed on any error.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from yingji.alerts import rules, services
from yingji.alerts.filters import WarningFilterSet, visible_warnings
from yingji.alerts.forms_warnings import LEVEL_DEFAULTS, WarningForm
from yingji.alerts.models import Warning
from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm

router = Router(tags=["warnings"])


class WarningIn(Schema):
    division: str | None = Field(None, description="12-digit code of the jurisdiction (default: your own)")
    source: str = Field("internal", description="met, water, natural_resources, emergency or internal")
    event_type: str = Field("other", description="rainstorm, typhoon, gale, … (alerts/events.py)")
    event: str = ""
    level: str = Field("", description="blue, yellow, orange or red (required)")
    severity: str | None = Field(None, description="CAP severity; default from the level")
    urgency: str | None = Field(None, description="CAP urgency; default from the level")
    certainty: str | None = Field(None, description="CAP certainty; default from the level")
    headline: str = ""
    description: str = ""
    instruction: str = ""
    onset: datetime.datetime | None = None
    expires: datetime.datetime | None = None
    cap_scope: str = "Public"
    area_desc: str = ""
    area_divisions: list[str] = Field(default_factory=list, description="12-digit division codes")
    polygons: list[list[list[float]]] = Field(
        default_factory=list, description="Rings of [latitude, longitude] points (closed for you)"
    )


def _when(value) -> str | None:
    return value.isoformat() if value else None


def serialize(w: Warning) -> dict:
    return {
        "id": w.id,
        "division": w.division_id,
        "source": w.source,
        "event_type": w.event_type,
        "event": w.event,
        "level": w.level,
        "level_label": str(w.get_level_display()),
        "severity": w.severity,
        "urgency": w.urgency,
        "certainty": w.certainty,
        "headline": w.headline,
        "status": w.status,
        "onset": _when(w.onset),
        "expires": _when(w.expires),
        "issued_at": _when(w.issued_at),
        "identifier": w.identifier,
        "sender": w.sender,
        "msg_type": w.msg_type,
        "cap_scope": w.cap_scope,
        "cap_status": w.cap_status,
    }


def serialize_full(w: Warning, user) -> dict:
    now = timezone.now()
    return {
        **serialize(w),
        "description": w.description,
        "instruction": w.instruction,
        "drafted_by": w.drafted_by_id,
        "approved_by": w.approved_by_id,
        "approved_at": _when(w.approved_at),
        "closed_at": _when(w.closed_at),
        "areas": [
            {
                "area_desc": a.area_desc,
                "divisions": [d.code for d in a.divisions.all()],
                "polygons": a.polygons,
                "circles": a.circles,
                "geocodes": a.geocodes,
            }
            for a in w.areas.prefetch_related("divisions")
        ],
        "messages": [
            {
                "identifier": m.identifier,
                "sender": m.sender,
                "sent": _when(m.sent),
                "msg_type": m.msg_type,
                "direction": m.direction,
                "references": m.references_text,
            }
            for m in w.messages.all()
        ],
        "allowed_actions": rules.allowed_actions(w, user, now=now),
    }


def _form_data(payload: WarningIn, user) -> dict:
    data = payload.dict()
    defaults = LEVEL_DEFAULTS.get(data["level"], {})
    for name in ("severity", "urgency", "certainty"):
        data[name] = data[name] or defaults.get(name, "Unknown")
    data["division"] = data["division"] or user.division_id
    for name in ("onset", "expires"):
        data[name] = data[name].isoformat() if data[name] else ""
    return data


def _validated(payload: WarningIn, user, warning: Warning | None = None) -> dict:
    form = WarningForm(_form_data(payload, user), user=user, warning=warning)
    if not form.is_valid():
        fields = {
            name: [e["message"] for e in errors] for name, errors in form.errors.get_json_data().items()
        }
        raise ApiError(400, "invalid_data", _("The data is not valid."), fields)
    return form.service_arguments()


def _own(request, warning_id: int) -> Warning:
    """A warning of the user's jurisdiction (changes), else 404."""
    warning = Warning.objects.for_user(request.user).filter(pk=warning_id).first()
    if warning is None:
        raise ApiError(404, "not_found", _("Not found."))
    return warning


def _refuse_if_needed(warning: Warning, user, action: str) -> None:
    refusal = rules.refusal(warning, user, action, now=timezone.now())
    if refusal is None:
        return
    if refusal.code == "forbidden":
        raise PermissionDenied
    raise ApiError(409, refusal.code, str(refusal.reason), {refusal.field: [str(refusal.reason)]})


def _run(call, *args, **kwargs) -> Warning:
    try:
        return call(*args, **kwargs)
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        raise ApiError(400, "invalid_data", _("The data is not valid."), fields) from None


@router.get("", url_name="warning_list_api")
def list_warnings(request):
    """Warnings the user may read; filters as on the list page (status, level, source, event_type,
    division, active_from, active_to, q, sort)."""
    require_perm(request, "alerts.view_warning")
    queryset = filtered_or_400(WarningFilterSet, request, visible_warnings(request.user))
    return page_of(queryset, request, serialize)


@router.get("/{warning_id}", url_name="warning_detail_api")
def get_warning(request, warning_id: int):
    require_perm(request, "alerts.view_warning")
    warning = visible_warnings(request.user).filter(pk=warning_id).first()
    if warning is None:
        raise ApiError(404, "not_found", _("Not found."))
    return serialize_full(warning, request.user)


@router.post("", url_name="warning_create_api")
def create_warning(request, payload: WarningIn):
    """A new draft. 400 `invalid_data` names the fields (expiry before onset, a polygon of fewer than
    three points, no area, …)."""
    require_perm(request, "alerts.add_warning")
    arguments = _validated(payload, request.user)
    warning = _run(services.create_draft, actor=request.user, **arguments)
    return serialize_full(warning, request.user)


@router.put("/{warning_id}", url_name="warning_update_draft_api")
def update_draft(request, warning_id: int, payload: WarningIn):
    """Replace a draft's fields (its approval, if any, is withdrawn)."""
    require_perm(request, "alerts.change_warning")
    warning = _own(request, warning_id)
    _refuse_if_needed(warning, request.user, rules.Action.EDIT)
    arguments = _validated(payload, request.user, warning)
    warning = _run(services.update_draft, warning, actor=request.user, **arguments)
    return serialize_full(warning, request.user)


@router.post("/{warning_id}/approve", url_name="warning_approve_api")
def approve(request, warning_id: int):
    """Approve (orange/red: someone other than the drafter; 409 `same_person` otherwise)."""
    warning = _own(request, warning_id)
    _refuse_if_needed(warning, request.user, rules.Action.APPROVE)
    return serialize_full(_run(services.approve, warning, actor=request.user), request.user)


@router.post("/{warning_id}/issue", url_name="warning_issue_api")
def issue(request, warning_id: int):
    """Issue: a CAP Alert is produced (409 `approval_required`, `expired`)."""
    warning = _own(request, warning_id)
    _refuse_if_needed(warning, request.user, rules.Action.ISSUE)
    return serialize_full(_run(services.issue, warning, actor=request.user), request.user)


@router.post("/{warning_id}/update", url_name="warning_update_api")
def update(request, warning_id: int, payload: WarningIn):
    """Update an issued warning: its fields are replaced and a CAP Update message is produced."""
    warning = _own(request, warning_id)
    _refuse_if_needed(warning, request.user, rules.Action.UPDATE)
    arguments = _validated(payload, request.user, warning)
    return serialize_full(
        _run(services.update_warning, warning, actor=request.user, **arguments), request.user
    )


@router.post("/{warning_id}/cancel", url_name="warning_cancel_api")
def cancel(request, warning_id: int):
    """Cancel (an issued warning gets a CAP Cancel message)."""
    warning = _own(request, warning_id)
    _refuse_if_needed(warning, request.user, rules.Action.CANCEL)
    return serialize_full(_run(services.cancel, warning, actor=request.user), request.user)
