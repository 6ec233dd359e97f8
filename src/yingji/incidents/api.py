"""/api/v1/incidents: intake (接报), list, detail, re-grading on new numbers, reporting duties and the
timeline (paged, newest first). Errors: 400 `invalid_data` with `fields` (negative casualties, a place
outside your jurisdiction, ...), 404 for what you cannot see, 403 without the permission."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core.api import filtered_or_400, page_of, require_perm
from yingji.core.models import Division
from yingji.incidents import services_incidents as services
from yingji.incidents.filters_incidents import IncidentFilterSet
from yingji.incidents.models import Incident, ReportDuty, TimelineEntry
from yingji.registry.models import Enterprise

router = Router(tags=["incidents"])


class IncidentIn(Schema):
    kind: str = Field(default="", description="natural | accident | public_health | social_security")
    subtype: str = Field(default="", description="a sub-type of the kind (see docs/incidents.md)")
    title: str = ""
    occurred_at: datetime.datetime | None = None
    division: str = Field(default="", description="12-digit division code inside your jurisdiction")
    enterprise: int | None = Field(default=None, description="enterprise id (enterprise users: their own)")
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    deaths: int = 0
    missing: int = 0
    serious_injuries: int = Field(default=0, description="including acute industrial poisoning")
    trapped: int = 0
    direct_loss_yuan: Decimal = Decimal(0)
    description: str = ""
    reporter: str = ""
    reporter_phone: str = ""
    channel: str = Field(
        default="other", description="phone_12350 | transfer_110 | transfer_119 | enterprise | media | other"
    )


class NumbersIn(Schema):
    deaths: int | None = None
    missing: int | None = None
    serious_injuries: int | None = None
    trapped: int | None = None
    direct_loss_yuan: Decimal | None = None
    note: str = ""


class DutyIn(Schema):
    note: str = ""


def _local(at) -> str | None:
    return at.isoformat() if at else None


def serialize_incident(i: Incident, *, full: bool = False) -> dict:
    data = {
        "id": i.pk,
        "kind": i.kind,
        "subtype": i.subtype,
        "title": i.title,
        "occurred_at": _local(i.occurred_at),
        "reported_at": _local(i.reported_at),
        "division": i.division_id,
        "enterprise": i.enterprise_id,
        "latitude": i.latitude,
        "longitude": i.longitude,
        "deaths": i.deaths,
        "missing": i.missing,
        "serious_injuries": i.serious_injuries,
        "trapped": i.trapped,
        "direct_loss_yuan": str(i.direct_loss_yuan),
        "grade": i.grade,
        "grade_decided_by": i.grade_decided_by,
        "status": i.status,
    }
    if full:
        data.update(
            address=i.address,
            description=i.description,
            reporter=i.reporter,
            reporter_phone=i.reporter_phone,
            channel=i.channel,
            closed_at=_local(i.closed_at),
            outcome=i.outcome,
            report_duties=[serialize_duty(d) for d in i.report_duties.all()],
        )
    return data


def serialize_duty(d: ReportDuty) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "due_at": _local(d.due_at),
        "done_at": _local(d.done_at),
        "note": d.note,
    }


def serialize_entry(e: TimelineEntry) -> dict:
    return {
        "id": e.pk,
        "at": _local(e.at),
        "kind": e.kind,
        "text": e.text,
        "actor": e.actor_id,
        "automatic": e.automatic,
    }


def _incident(request, incident_id: int) -> Incident:
    return get_object_or_404(
        Incident.objects.for_user(request.user).select_related("division", "enterprise"), pk=incident_id
    )


@router.get("", summary="Incidents in your jurisdiction (paginated; the list page's filters)")
def list_incidents(request):
    require_perm(request, "incidents.view_incident")
    queryset = Incident.objects.for_user(request.user).select_related("division")
    return page_of(filtered_or_400(IncidentFilterSet, request, queryset), request, serialize_incident)


@router.post("", response={201: dict}, summary="Report an incident (接报); accidents are graded by Art. 3")
def report_incident(request, payload: IncidentIn):
    require_perm(request, "incidents.add_incident")
    data = payload.dict()
    code = data.pop("division") or ""
    enterprise_id = data.pop("enterprise")
    division = None
    if code:
        division = Division.objects.filter(code=code).first()
        if division is None:
            raise ValidationError({"division": _("Unknown division code {code}.").format(code=code)})
    enterprise = None
    if enterprise_id is not None:
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
        if enterprise is None:
            raise ValidationError({"enterprise": _("Unknown enterprise.")})
    incident = services.report_incident(actor=request.user, division=division, enterprise=enterprise, **data)
    return Status(201, serialize_incident(incident, full=True))


@router.get("/{int:incident_id}", summary="One incident with its reporting duties")
def get_incident(request, incident_id: int):
    require_perm(request, "incidents.view_incident")
    return serialize_incident(_incident(request, incident_id), full=True)


@router.get("/{int:incident_id}/grade", summary="The incident's grade and the rule that decided it")
def get_grade(request, incident_id: int):
    require_perm(request, "incidents.view_incident")
    incident = _incident(request, incident_id)
    return {
        "grade": incident.grade,
        "label": incident.get_grade_display(),
        "decided_by": incident.grade_decided_by,
    }


@router.post(
    "/{int:incident_id}/grade",
    summary="New casualty or loss numbers: re-grade (the change goes on the timeline; 续报 duty when due)",
)
def regrade(request, incident_id: int, payload: NumbersIn):
    require_perm(request, "incidents.change_incident")
    incident = _incident(request, incident_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    note = data.pop("note", "")
    incident = services.update_numbers(incident, actor=request.user, note=note, **data)
    return serialize_incident(incident, full=True)


@router.post("/{int:incident_id}/duties/{int:duty_id}/done", summary="A report to the next level was made")
def duty_done(request, incident_id: int, duty_id: int, payload: DutyIn):
    require_perm(request, "incidents.change_incident")
    incident = _incident(request, incident_id)
    duty = get_object_or_404(ReportDuty, pk=duty_id, incident=incident)
    return serialize_duty(services.complete_report_duty(duty, actor=request.user, note=payload.note))


@router.get("/{int:incident_id}/timeline", summary="The incident's timeline, newest first (paginated)")
def timeline(request, incident_id: int):
    require_perm(request, "incidents.view_timelineentry")
    incident = _incident(request, incident_id)
    queryset = TimelineEntry.objects.filter(incident=incident).order_by("-at", "-pk")
    return page_of(queryset, request, serialize_entry)
