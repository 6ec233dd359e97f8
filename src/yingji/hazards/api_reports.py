"""Public reports (有奖举报) in the API.

Public, without authentication: `GET /challenge`, `POST /submit`, `GET /track/{tracking_code}`.
For the bureau (scoped): `GET /`, `GET /{report_id}`, `POST /{report_id}/accept|dismiss|reward`.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from yingji.core import audit
from yingji.core.api import ApiError, page_of, require_perm
from yingji.hazards import rules_reports, services_reports
from yingji.hazards.models import Grade, PublicReport, ReportStatus
from yingji.hazards.rules import TransitionError
from yingji.hazards.services_reports import HONEYPOT_FIELD, RateLimited
from yingji.hazards.views_reports import HANDLE_PERMISSION, VIEW_PERMISSION, contact_of, queue_order
from yingji.registry.models import Enterprise

router = Router(tags=["public reports"])

SUBMIT_FIELDS = (
    "town",
    "village",
    "location",
    "description",
    "enterprise_name",
    "longitude",
    "latitude",
    "reporter_name",
    "reporter_phone",
    "challenge_token",
    "challenge_answer",
)
SUBMIT_BODY = {
    "type": "object",
    "required": ["town", "location", "description", "challenge_token", "challenge_answer"],
    "properties": {
        **{name: {"type": "string"} for name in SUBMIT_FIELDS},
        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": 5},
    },
}


class ChallengeOut(Schema):
    question: str
    token: str
    max_age_seconds: int


class SubmittedOut(Schema):
    tracking_code: str
    status: str


class TrackOut(Schema):
    tracking_code: str
    status: str
    status_display: str
    submitted_at: str
    handled_at: str | None
    division: str
    dismissal_reason: str
    rewarded: bool


class AcceptIn(Schema):
    # Optional in the schema so a refused request is refused by scope first; the service checks them.
    title: str = ""
    enterprise_id: int | None = None
    grade: str = Grade.GENERAL
    criteria: list[str] = []


class DismissIn(Schema):
    reason: str = ""


class RewardIn(Schema):
    amount_yuan: Decimal | None = None
    note: str = ""


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _track(report: PublicReport) -> dict:
    """What the public may know about a report: never the reporter, the handler or internal notes."""
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_display": str(report.get_status_display()),
        "submitted_at": _iso(report.created_at),
        "handled_at": _iso(report.handled_at),
        "division": report.division.name,
        "dismissal_reason": report.dismissal_reason if report.status == ReportStatus.DISMISSED else "",
        "rewarded": report.reward_granted_at is not None,
    }


def _serialize(report: PublicReport, user) -> dict:
    contact = contact_of(report, user)
    return {
        "id": report.pk,
        "tracking_code": report.tracking_code,
        "division": report.division_id,
        "division_name": report.division.name,
        "enterprise_name": report.enterprise_name,
        "location": report.location,
        "longitude": report.longitude,
        "latitude": report.latitude,
        "description": report.description,
        "reporter_name": contact["name"],
        "reporter_phone": contact["phone"],
        "contact_masked": contact["masked"],
        "status": report.status,
        "hazard": report.hazard_id,
        "dismissal_reason": report.dismissal_reason,
        "handled_by": report.handled_by_id,
        "handled_at": _iso(report.handled_at),
        "reward_yuan": str(report.reward_yuan) if report.reward_yuan is not None else None,
        "reward_granted_at": _iso(report.reward_granted_at),
        "reward_note": report.reward_note,
        "created_at": _iso(report.created_at),
        "photos": [p.pk for p in report.photos.all()],
    }


def _scoped(request):
    require_perm(request, VIEW_PERMISSION)
    return PublicReport.objects.for_user(request.user).select_related("division").prefetch_related("photos")


def _report(request, report_id: int) -> PublicReport:
    return get_object_or_404(_scoped(request), pk=report_id)


def _conflict(error: TransitionError) -> ApiError:
    return ApiError(409, error.code, error.reason)


# -- public -------------------------------------------------------------------------------------------


@router.get(
    "/challenge",
    auth=None,
    response=ChallengeOut,
    url_name="public_report_challenge",
    summary="A new challenge",
)
def challenge(request):
    """An arithmetic question; send its answer with `token` to /submit within 30 minutes."""
    item = rules_reports.new_challenge()
    return {
        "question": item.question,
        "token": item.token,
        "max_age_seconds": rules_reports.CHALLENGE_MAX_AGE,
    }


@router.post(
    "/submit",
    auth=None,
    response={201: SubmittedOut},
    url_name="public_report_submit",
    summary="Submit a public report (no login)",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {"schema": SUBMIT_BODY},
                "application/json": {
                    "schema": {
                        **SUBMIT_BODY,
                        "properties": {k: v for k, v in SUBMIT_BODY["properties"].items() if k != "photos"},
                    }
                },
            }
        }
    },
)
def submit(request):
    """Multipart (with up to 5 photos) or JSON (without photos). Too many from one address: 429
    `rate_limited`; a wrong or expired answer: 400 `invalid_data` naming `challenge_answer`."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise ApiError(400, "invalid_input", _("The request is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_input", _("The request is not valid."))
        files = []
    else:
        data, files = request.POST, request.FILES.getlist("photos")
    values = {name: data.get(name) for name in SUBMIT_FIELDS}
    text = {k: "" if v is None else str(v) for k, v in values.items() if k not in ("longitude", "latitude")}
    try:
        report = services_reports.submit_report(
            **text,
            longitude=values["longitude"],
            latitude=values["latitude"],
            photos=files,
            honeypot=str(data.get(HONEYPOT_FIELD) or ""),
            client_ip=audit.client_ip(request),
        )
    except RateLimited as error:
        raise ApiError(429, error.code, error.message) from None
    return Status(201, {"tracking_code": report.tracking_code, "status": report.status})


@router.get(
    "/track/{tracking_code}",
    auth=None,
    response=TrackOut,
    url_name="public_report_track",
    summary="The status of a public report by its tracking code (no login)",
)
def track(request, tracking_code: str):
    report = services_reports.find_by_tracking_code(tracking_code)
    if report is None:
        raise ApiError(404, "not_found", _("No report has this tracking code."))
    return _track(report)


# -- the bureau ---------------------------------------------------------------------------------------


@router.get("", summary="Public reports in your jurisdiction (received first)")
def list_reports(request, status: str = ""):
    queryset = _scoped(request)
    if status:
        if status not in ReportStatus.values:
            raise ApiError(400, "invalid_filter", _("Some filters are not valid."), {"status": [status]})
        queryset = queryset.filter(status=status)
    return page_of(queue_order(queryset), request, lambda r: _serialize(r, request.user))


@router.get("/{report_id}", summary="One public report")
def get_report(request, report_id: int):
    return _serialize(_report(request, report_id), request.user)


@router.post("/{report_id}/accept", summary="Accept a report as a hidden danger")
def accept(request, report_id: int, payload: AcceptIn):
    report = _report(request, report_id)
    require_perm(request, HANDLE_PERMISSION)
    enterprise = None
    if payload.enterprise_id is not None:
        enterprise = Enterprise.objects.for_user(request.user).filter(pk=payload.enterprise_id).first()
        if enterprise is None:
            raise ValidationError({"enterprise_id": _("Unknown enterprise, or outside your jurisdiction.")})
    try:
        hazard = services_reports.accept_report(
            report,
            actor=request.user,
            title=payload.title,
            enterprise=enterprise,
            grade=payload.grade,
            criteria=payload.criteria,
        )
    except TransitionError as error:
        raise _conflict(error) from None
    report.refresh_from_db()
    return {**_serialize(report, request.user), "hazard": hazard.pk}


@router.post("/{report_id}/dismiss", summary="Dismiss a report, with the reason")
def dismiss(request, report_id: int, payload: DismissIn):
    report = _report(request, report_id)
    require_perm(request, HANDLE_PERMISSION)
    try:
        report = services_reports.dismiss_report(report, actor=request.user, reason=payload.reason)
    except TransitionError as error:
        raise _conflict(error) from None
    return _serialize(report, request.user)


@router.post("/{report_id}/reward", summary="Record the reward granted for an accepted report")
def reward(request, report_id: int, payload: RewardIn):
    report = _report(request, report_id)
    require_perm(request, HANDLE_PERMISSION)
    if payload.amount_yuan is None:
        raise ValidationError({"amount_yuan": _("Enter an amount in yuan.")})
    try:
        report = services_reports.grant_reward(
            report, actor=request.user, amount_yuan=payload.amount_yuan, note=payload.note
        )
    except TransitionError as error:
        raise _conflict(error) from None
    return _serialize(report, request.user)
