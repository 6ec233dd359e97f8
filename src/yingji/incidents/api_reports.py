"""/api/v1/disaster-reports: disaster events (灾害过程), the report of each division (fill, submit a
version, review the level below) and the xlsx of the statistical form.

Errors are 400 `invalid_data` with `fields`: the indicator names for bad figures (`deaths`,
`crop_disaster_ha`, `direct_loss` …), `stage` for a stage that may not be submitted now."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core import audit
from yingji.core.api import page_of, require_perm
from yingji.core.models import Division
from yingji.incidents import exports_reports
from yingji.incidents import services_reports as services
from yingji.incidents.models_reports import DisasterEvent, DisasterReport, ReportVersion

router = Router(tags=["disaster-reports"])


# Required fields are optional in the schemas so that a caller without permission or outside the
# jurisdiction gets 403/404 before a validation error; the handlers and services require them.
class EventIn(Schema):
    title: str = ""
    hazard_type: str = Field(
        default="",
        description="flood | typhoon | wind_hail | drought | earthquake | geological | low_temperature | "
        "snow | forest_fire | other",
    )
    started_on: datetime.date | None = None
    division: str = Field(default="", description="12-digit code of the county or town (required)")
    incident: int | None = Field(default=None, description="an incident id in your jurisdiction")
    description: str = ""


class EndIn(Schema):
    ended_on: datetime.date | None = None


class ReportFor(Schema):
    division: str = Field(default="", description="12-digit code of a division in the event's area")


class FiguresIn(Schema):
    figures: dict[str, Any] = Field(default_factory=dict, description="indicator → number, null = not given")
    note: str | None = None


class SubmitIn(Schema):
    stage: str = Field(default="", description="initial | update | final")
    figures: dict[str, Any] | None = Field(default=None, description="saved into the draft before submitting")
    note: str | None = None


class ReviewIn(Schema):
    accept: bool | None = None
    reason: str = ""


def _plain(value):
    return str(value) if value is not None and not isinstance(value, int) else value


def _figures(obj) -> dict:
    return {k: _plain(v) for k, v in services.figures_of(obj).items()}


def serialize_event(event: DisasterEvent) -> dict:
    return {
        "id": event.id,
        "title": event.title,
        "hazard_type": event.hazard_type,
        "started_on": event.started_on,
        "opened_at": event.opened_at,
        "ended_on": event.ended_on,
        "status": event.status,
        "division": event.division_id,
        "incident": event.incident_id,
    }


def serialize_version(version: ReportVersion) -> dict:
    return {
        "id": version.id,
        "number": version.number,
        "stage": version.stage,
        "submitted_at": version.submitted_at,
        "review_status": version.review_status,
        "review_reason": version.review_reason,
        "reviewed_at": version.reviewed_at,
        "figures": _figures(version),
    }


def serialize_report(report: DisasterReport, full: bool = False) -> dict:
    current = services.current_version(report)
    data = {
        "id": report.id,
        "event": report.event_id,
        "division": report.division_id,
        "status": report.status,
        "current_version": serialize_version(current) if current else None,
    }
    if full:
        result = services.totals(report)
        data.update(
            draft=_figures(report),
            note=report.note,
            versions=[serialize_version(v) for v in report.versions.all()],
            lower_total={k: _plain(v) for k, v in result["lower"].items()},
            lower_count=result["count"],
            differences={k: _plain(v) for k, v in result["differences"].items()},
        )
    return data


def _events(request):
    return DisasterEvent.objects.for_user(request.user).select_related("division")


def _event(request, disaster_event_id: int) -> DisasterEvent:
    return get_object_or_404(_events(request), pk=disaster_event_id)


def _report(request, disaster_report_id: int) -> DisasterReport:
    queryset = DisasterReport.objects.for_user(request.user).select_related("event__division", "division")
    return get_object_or_404(queryset, pk=disaster_report_id)


def _division(code: str, field: str = "division") -> Division:
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise ValidationError({field: _("Unknown division.")})
    return division


@router.get("", summary="Disaster events you report on (paginated)")
def list_events(request, status: str = ""):
    require_perm(request, "incidents.view_disasterevent")
    queryset = _events(request)
    if status:
        queryset = queryset.filter(status=status)
    return page_of(queryset, request, serialize_event)


@router.post("", response={201: dict}, summary="Open a disaster event (初报 deadlines start)")
def open_event(request, payload: EventIn):
    require_perm(request, "incidents.add_disasterevent")
    incident = None
    if payload.incident is not None:
        from yingji.incidents.models import Incident

        incident = Incident.objects.for_user(request.user).filter(pk=payload.incident).first()
        if incident is None:
            raise ValidationError({"incident": _("No such incident in your jurisdiction.")})
    event = services.open_event(
        actor=request.user,
        title=payload.title,
        hazard_type=payload.hazard_type,
        started_on=payload.started_on,
        division=_division(payload.division),
        incident=incident,
        description=payload.description,
    )
    return Status(201, serialize_event(event))


@router.get(
    "/reports/{int:disaster_report_id}", summary="One division's report: draft, versions, lower totals"
)
def get_report(request, disaster_report_id: int):
    require_perm(request, "incidents.view_disasterreport")
    return serialize_report(_report(request, disaster_report_id), full=True)


@router.put("/reports/{int:disaster_report_id}/figures", summary="Fill the division's own figures (draft)")
def save_figures(request, disaster_report_id: int, payload: FiguresIn):
    require_perm(request, "incidents.change_disasterreport")
    report = services.save_figures(
        _report(request, disaster_report_id), actor=request.user, figures=payload.figures, note=payload.note
    )
    return serialize_report(report, full=True)


@router.post(
    "/reports/{int:disaster_report_id}/submit",
    response={201: dict},
    summary="Submit a version to the level above",
)
def submit(request, disaster_report_id: int, payload: SubmitIn):
    require_perm(request, "incidents.change_disasterreport")
    version = services.submit_report(
        _report(request, disaster_report_id),
        actor=request.user,
        stage=payload.stage,
        figures=payload.figures,
        note=payload.note,
    )
    return Status(201, serialize_version(version))


@router.post("/versions/{int:report_version_id}/review", summary="Accept or return (with a reason) a version")
def review(request, report_version_id: int, payload: ReviewIn):
    require_perm(request, "incidents.review_disasterreport")
    version = get_object_or_404(ReportVersion.objects.for_user(request.user), pk=report_version_id)
    if payload.accept is None:
        raise ValidationError({"accept": _("Say whether to accept or return the report.")})
    version = services.review_version(
        version, actor=request.user, accept=payload.accept, reason=payload.reason
    )
    return serialize_version(version)


@router.get("/{int:disaster_event_id}", summary="One event with the reports you see")
def get_event(request, disaster_event_id: int):
    require_perm(request, "incidents.view_disasterevent")
    event = _event(request, disaster_event_id)
    reports = DisasterReport.objects.for_user(request.user).filter(event=event).select_related("division")
    return {**serialize_event(event), "reports": [serialize_report(r) for r in reports]}


@router.post("/{int:disaster_event_id}/end", summary="End the event (核报 deadlines start)")
def end_event(request, disaster_event_id: int, payload: EndIn):
    require_perm(request, "incidents.change_disasterevent")
    event = services.end_event(
        _event(request, disaster_event_id), actor=request.user, ended_on=payload.ended_on
    )
    return serialize_event(event)


@router.post(
    "/{int:disaster_event_id}/reports", summary="The report of a division in the event (created on first use)"
)
def report_for(request, disaster_event_id: int, payload: ReportFor):
    require_perm(request, "incidents.change_disasterreport")
    event = _event(request, disaster_event_id)
    report = services.report_for(event, _division(payload.division), actor=request.user)
    return serialize_report(report, full=True)


@router.get("/{int:disaster_event_id}/export", summary="The statistical form as xlsx (rows = divisions)")
def export(request, disaster_event_id: int):
    require_perm(request, "incidents.export_disasterreport")
    event = _event(request, disaster_event_id)
    reports = list(
        DisasterReport.objects.for_user(request.user)
        .filter(event=event)
        .select_related("division")
        .order_by("division_id")
    )
    data = exports_reports.event_workbook(event, reports)
    audit.record(
        "export",
        object_type="incidents.disasterreport",
        note=f"{len(reports)} rows as xlsx; event {event.pk}",
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="disaster-{event.pk}.xlsx"'
    return response
