"""Online supervision in the API (mounted at /api/v1/monitoring/supervision).

No login: `POST /sms-reply` and `POST /sms-replies` (the SMS gateway posting replies: phone + text;
with YINGJI_CALL_SMS_REPLY_TOKEN set it must send that bearer token, as for 叫应). Everything else
needs a session or a token and reads through `for_user`. Docs: docs/supervision.md.
"""

from __future__ import annotations

import datetime
import hmac

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.monitoring import filters_supervision as filters
from yingji.monitoring import rules_supervision as rules
from yingji.monitoring import services_supervision as services
from yingji.monitoring import tables_supervision as tables
from yingji.monitoring.models import (
    DustCheckin,
    DustDayResult,
    DustSchedule,
    RollCall,
    RollCallTarget,
    VideoCheck,
)
from yingji.registry.models import Enterprise

router = Router(tags=["online-supervision"])
MAX_BATCH = 1000


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _error(error: rules.SupervisionError) -> ApiError:
    return ApiError(error.status, error.code, str(error.message), {error.field: [str(error.message)]})


class FindingIn(Schema):
    kind: str = ""  # hazard | lead (the service names the field when it is neither)


# --- roll-calls ----------------------------------------------------------------------------------------


class RollCallIn(Schema):
    title: str = ""
    minutes: int = 0
    late_minutes: int = 30
    division: str = ""
    industries: list[str] = []
    flags: list[str] = []


def roll_call_json(call: RollCall, counts: dict | None = None) -> dict:
    data = {
        "id": call.pk,
        "title": call.title,
        "division": call.division_id,
        "pool": call.pool,
        "code": call.code,
        "minutes": call.minutes,
        "late_minutes": call.late_minutes,
        "started_at": _iso(call.started_at),
        "deadline_at": _iso(call.deadline_at),
        "closes_at": _iso(call.closes_at),
        "status": call.status,
        "closed_at": _iso(call.closed_at),
        "target_count": call.target_count,
    }
    if counts is not None:
        data["counts"] = counts
    return data


def target_json(target: RollCallTarget) -> dict:
    return {
        "id": target.pk,
        "roll_call": target.roll_call_id,
        "enterprise": target.enterprise_id,
        "enterprise_name": target.enterprise.name,
        "division": target.division_id,
        "status": target.status,
        "answered_at": _iso(target.answered_at),
        "method": target.method,
        "hazard": target.hazard_id,
        "lead": target.lead_ref,
    }


@router.get("/rollcalls", url_name="supervision_rollcalls")
def list_roll_calls(request):
    require_perm(request, "monitoring.view_rollcall")
    queryset = filtered_or_400(filters.RollCallFilterSet, request, RollCall.objects.for_user(request.user))
    return page_of(queryset, request, roll_call_json)


@router.post("/rollcalls", response={201: dict}, url_name="supervision_rollcall_add")
def start_roll_call(request, payload: RollCallIn):
    """Start a roll-call of a pool: `division` (default: yours), `industries` (GB/T 4754 prefixes,
    any of), `flags` (supervision flags such as hazchem_production, any of); answer within `minutes`."""
    require_perm(request, "monitoring.add_rollcall")
    call = services.start_roll_call(actor=request.user, **payload.dict())
    return Status(201, roll_call_json(call, services.roll_call_counts(call)))


def _roll_call(request, roll_call_id: int) -> RollCall:
    require_perm(request, "monitoring.view_rollcall")
    return get_object_or_404(RollCall.objects.for_user(request.user), pk=roll_call_id)


@router.get("/rollcalls/{roll_call_id}", url_name="supervision_rollcall")
def roll_call_detail(request, roll_call_id: int):
    call = _roll_call(request, roll_call_id)
    targets = RollCallTarget.objects.for_user(request.user).filter(roll_call=call)
    return roll_call_json(call, services.roll_call_counts(call, targets))


@router.get("/rollcalls/{roll_call_id}/targets", url_name="supervision_rollcall_targets")
def roll_call_targets(request, roll_call_id: int):
    call = _roll_call(request, roll_call_id)
    queryset = (
        RollCallTarget.objects.for_user(request.user).filter(roll_call=call).select_related("enterprise")
    )
    queryset = filtered_or_400(filters.RollCallTargetFilterSet, request, queryset)
    return page_of(queryset, request, target_json)


@router.post("/rollcalls/{roll_call_id}/close", url_name="supervision_rollcall_close")
def close_roll_call(request, roll_call_id: int):
    require_perm(request, "monitoring.change_rollcall")
    call = services.close_roll_call(_roll_call(request, roll_call_id), actor=request.user)
    return roll_call_json(call, services.roll_call_counts(call))


@router.post("/rollcalls/{roll_call_id}/answer", url_name="supervision_rollcall_answer")
def answer_roll_call(request, roll_call_id: int):
    """The enterprise user's answer for their own enterprise: 409 `rollcall_closed` after closing,
    403 `not_targeted` when their enterprise is not called; a repeat keeps the first time."""
    require_perm(request, "monitoring.answer_rollcall")
    call = get_object_or_404(RollCall.objects.all(), pk=roll_call_id)
    try:
        target = services.answer_roll_call(call, actor=request.user, method="api")
    except rules.SupervisionError as error:
        raise _error(error) from None
    return target_json(target)


@router.get("/my-rollcalls", url_name="supervision_my_rollcalls")
def my_roll_calls(request, status: str = ""):
    """The roll-call targets of the user's own enterprise (pending first)."""
    require_perm(request, "monitoring.answer_rollcall")
    queryset = (
        RollCallTarget.objects.for_user(request.user)
        .select_related("enterprise", "roll_call")
        .order_by("-roll_call__started_at", "-pk")
    )
    if status:
        queryset = queryset.filter(status=status)
    return page_of(queryset, request, target_json)


class SmsReplyIn(Schema):
    phone: str
    text: str


class SmsRepliesIn(Schema):
    replies: list[SmsReplyIn]


def _check_gateway(request) -> None:
    expected = getattr(settings, "CALL_SMS_REPLY_TOKEN", "")
    if expected:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise ApiError(401, "unauthorized", _("The SMS gateway token is missing or wrong."))


@router.post("/sms-reply", auth=None, url_name="supervision_sms_reply")
def sms_reply(request, payload: SmsReplyIn):
    """The SMS gateway posts a reply: sender `phone`, `text` holding the roll-call's 6-digit code."""
    _check_gateway(request)
    try:
        target = services.answer_sms(payload.phone, payload.text)
    except rules.SupervisionError as error:
        raise _error(error) from None
    return {"target": target.pk, "roll_call": target.roll_call_id, "status": target.status,
            "answered_at": _iso(target.answered_at)}  # fmt: skip


@router.post("/sms-replies", auth=None, url_name="supervision_sms_replies")
def sms_replies(request, payload: SmsRepliesIn):
    """Up to 1,000 replies at once; each taken or refused on its own:
    `{"results": [{"target", "status"} | {"code", "message"}, ...]}`."""
    _check_gateway(request)
    if len(payload.replies) > MAX_BATCH:
        raise ApiError(413, "too_large", _("At most {n} replies per request.").format(n=MAX_BATCH))
    results = []
    now = timezone.now()
    for reply in payload.replies:
        try:
            target = services.answer_sms(reply.phone, reply.text, now=now)
        except rules.SupervisionError as error:
            results.append({"code": error.code, "message": str(error.message)})
        else:
            results.append({"target": target.pk, "status": target.status})
    return {"results": results}


# --- video spot-checks ---------------------------------------------------------------------------------


def video_json(check: VideoCheck) -> dict:
    return {
        "id": check.pk,
        "enterprise": check.enterprise_id,
        "division": check.division_id,
        "checked_at": _iso(check.checked_at),
        "checked_by": check.checked_by_id,
        "result": check.result,
        "note": check.note,
        "has_screenshot": hasattr(check, "screenshot"),
        "hazard": check.hazard_id,
        "lead": check.lead_ref,
    }


@router.get("/video-checks", url_name="supervision_video_checks")
def list_video_checks(request):
    require_perm(request, "monitoring.view_videocheck")
    queryset = VideoCheck.objects.for_user(request.user).select_related("screenshot")
    return page_of(filtered_or_400(filters.VideoCheckFilterSet, request, queryset), request, video_json)


def _enterprise(request, enterprise_id: int | None, field: str = "enterprise") -> Enterprise:
    enterprise = (
        Enterprise.objects.for_user(request.user).filter(pk=enterprise_id).first() if enterprise_id else None
    )
    if enterprise is None:
        message = _("Unknown enterprise, or outside your jurisdiction.")
        raise ApiError(400, "invalid_data", _("The data is not valid."), {field: [message]})
    return enterprise


@router.post("/video-checks", response={201: dict}, url_name="supervision_video_check_add")
def add_video_check(
    request,
    enterprise: Form[int] = 0,
    result: Form[str] = "",
    note: Form[str] = "",
    checked_at: Form[datetime.datetime | None] = None,
    screenshot: File[UploadedFile] = None,
):
    """Multipart: `enterprise`, `result` (normal, off_post, asleep, offline, other), `note`,
    `checked_at` (ISO time, default now), `screenshot` (JPEG, PNG or WebP)."""
    require_perm(request, "monitoring.add_videocheck")
    check = services.record_video_check(
        actor=request.user,
        enterprise=_enterprise(request, enterprise),
        result=result,
        note=note,
        screenshot=screenshot,
        checked_at=checked_at,
    )
    return Status(201, video_json(check))


@router.post("/video-checks/{video_check_id}/finding", url_name="supervision_video_check_finding")
def video_check_finding(request, video_check_id: int, payload: FindingIn):
    require_perm(request, "monitoring.view_videocheck")
    check = get_object_or_404(VideoCheck.objects.for_user(request.user), pk=video_check_id)
    return _finding(request, check, payload.kind)


# --- dust-cleaning -------------------------------------------------------------------------------------


class ScheduleIn(Schema):
    enterprise: int | None = None
    area: str = ""
    windows: list[str] = []
    active: bool = True


def schedule_json(schedule: DustSchedule) -> dict:
    return {
        "id": schedule.pk,
        "enterprise": schedule.enterprise_id,
        "division": schedule.division_id,
        "area": schedule.area,
        "windows": schedule.windows,
        "active": schedule.active,
    }


@router.get("/dust-schedules", url_name="supervision_dust_schedules")
def list_dust_schedules(request):
    require_perm(request, "monitoring.view_dustschedule")
    queryset = DustSchedule.objects.for_user(request.user)
    return page_of(filtered_or_400(filters.DustScheduleFilterSet, request, queryset), request, schedule_json)


@router.post("/dust-schedules", response={201: dict}, url_name="supervision_dust_schedule_add")
def add_dust_schedule(request, payload: ScheduleIn):
    """An enterprise's cleaning of one `area` at `windows` ("08:00-09:00") every day; an enterprise
    user's own enterprise is taken when `enterprise` is left out."""
    require_perm(request, "monitoring.add_dustschedule")
    data = payload.dict()
    enterprise_id = data.pop("enterprise")
    enterprise = None if request.user.is_enterprise_user else _enterprise(request, enterprise_id)
    schedule = services.save_dust_schedule(actor=request.user, enterprise=enterprise, **data)
    return Status(201, schedule_json(schedule))


@router.put("/dust-schedules/{dust_schedule_id}", url_name="supervision_dust_schedule_edit")
def edit_dust_schedule(request, dust_schedule_id: int, payload: ScheduleIn):
    require_perm(request, "monitoring.change_dustschedule")
    schedule = get_object_or_404(DustSchedule.objects.for_user(request.user), pk=dust_schedule_id)
    data = payload.dict()
    data.pop("enterprise")
    return schedule_json(services.save_dust_schedule(schedule, actor=request.user, **data))


def checkin_json(checkin: DustCheckin) -> dict:
    return {
        "id": checkin.pk,
        "schedule": checkin.schedule_id,
        "enterprise": checkin.enterprise_id,
        "done_at": _iso(checkin.done_at),
        "recorded_at": _iso(checkin.recorded_at),
        "note": checkin.note,
        "has_photo": bool(checkin.photo),
    }


@router.get("/dust-checkins", url_name="supervision_dust_checkins")
def list_dust_checkins(request):
    require_perm(request, "monitoring.view_dustcheckin")
    queryset = DustCheckin.objects.for_user(request.user)
    return page_of(filtered_or_400(filters.DustCheckinFilterSet, request, queryset), request, checkin_json)


@router.post("/dust-checkins", response={201: dict}, url_name="supervision_dust_checkin_add")
def add_dust_checkin(
    request,
    schedule: Form[int] = 0,
    done_at: Form[datetime.datetime | None] = None,
    note: Form[str] = "",
    photo: File[UploadedFile] = None,
):
    """Multipart: `schedule` (id), `done_at` (ISO time, default now; never in the future), `note`,
    `photo` (required: JPEG, PNG or WebP)."""
    require_perm(request, "monitoring.add_dustcheckin")
    found = DustSchedule.objects.for_user(request.user).filter(pk=schedule).first()
    checkin = services.record_dust_checkin(
        actor=request.user, schedule=found, done_at=done_at, photo=photo, note=note
    )
    return Status(201, checkin_json(checkin))


def result_json(result: DustDayResult) -> dict:
    return {
        "id": result.pk,
        "schedule": result.schedule_id,
        "enterprise": result.enterprise_id,
        "division": result.division_id,
        "day": result.day.isoformat(),
        "window": result.window,
        "status": result.status,
        "checkin": result.checkin_id,
        "hazard": result.hazard_id,
        "lead": result.lead_ref,
    }


@router.get("/dust-results", url_name="supervision_dust_results")
def list_dust_results(request):
    require_perm(request, "monitoring.view_dustdayresult")
    queryset = DustDayResult.objects.for_user(request.user)
    return page_of(filtered_or_400(filters.DustDayResultFilterSet, request, queryset), request, result_json)


# --- findings and the league table ---------------------------------------------------------------------


def _finding(request, obj, kind: str) -> dict:
    require_perm(request, "monitoring.open_finding")
    made = services.open_finding(obj, actor=request.user, kind=kind)
    return {"kind": kind, "id": made.pk}


@router.post("/targets/{roll_call_target_id}/finding", url_name="supervision_target_finding")
def target_finding(request, roll_call_target_id: int, payload: FindingIn):
    """A late or missing answer becomes a hazard (`kind` "hazard") or an enforcement lead ("lead")."""
    require_perm(request, "monitoring.view_rollcalltarget")
    target = get_object_or_404(RollCallTarget.objects.for_user(request.user), pk=roll_call_target_id)
    return _finding(request, target, payload.kind)


@router.post("/dust-results/{dust_result_id}/finding", url_name="supervision_dust_result_finding")
def dust_result_finding(request, dust_result_id: int, payload: FindingIn):
    require_perm(request, "monitoring.view_dustdayresult")
    result = get_object_or_404(DustDayResult.objects.for_user(request.user), pk=dust_result_id)
    return _finding(request, result, payload.kind)


def _league(request, period: str) -> dict:
    require_perm(request, "monitoring.view_rollcall")
    period = period or timezone.localdate().strftime("%Y-%m")
    try:
        return services.league_table(user=request.user, period=period)
    except ValueError:
        message = _("Give a day (YYYY-MM-DD) or a month (YYYY-MM).")
        raise ApiError(400, "invalid_data", message, {"period": [message]}) from None


@router.get("/league", url_name="supervision_league")
def league(request, period: str = ""):
    """Per town: answer rate, normal rate, check-in rate and their mean (`score`), best first, for a
    day (`period=2026-11-25`) or a month (`period=2026-11`, the default: this month)."""
    table = _league(request, period)
    return {**table, "first": table["first"].isoformat(), "last": table["last"].isoformat()}


@router.get("/league.xlsx", url_name="supervision_league_export")
def league_export(request, period: str = ""):
    require_perm(request, "monitoring.export_rollcall")
    table = _league(request, period)
    response = HttpResponse(
        tables.league_xlsx(table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="supervision-league-{table["period"]}.xlsx"'
    return response


@router.post("/alarms/{alarm_id}/lead", response={201: dict}, url_name="supervision_alarm_lead")
def alarm_to_lead(request, alarm_id: int):
    """An alarm becomes an enforcement lead (source "alarm"): 409 `already_lead` the second time."""
    from yingji.monitoring import services as alarm_services
    from yingji.monitoring.models import Alarm

    require_perm(request, "monitoring.view_alarm")
    alarm = get_object_or_404(Alarm.objects.for_user(request.user), pk=alarm_id)
    try:
        lead = alarm_services.alarm_to_lead(alarm, actor=request.user)
    except alarm_services.AlarmError as error:
        if error.code == "forbidden":
            raise ApiError(403, "forbidden", error.reason) from None
        raise ApiError(409, error.code, error.reason) from None
    return Status(201, {"lead": lead.pk, "alarm": alarm.pk})
