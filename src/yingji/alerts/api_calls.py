"""叫应 in the API (mounted at /api/v1/alerts/calls).

No login: `POST /ack/{token}` (the personal link) and `POST /sms-reply` (the SMS gateway posting a
reply: phone + text; with YINGJI_CALL_SMS_REPLY_TOKEN set it must send that bearer token). With a
session or token: the board, the calls of a warning, acknowledge/record one call, the call lists.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from yingji.alerts import rules_calls, services_calls
from yingji.alerts.models import Call, CallListEntry, Warning
from yingji.core.api import ApiError, page_of, require_perm
from yingji.core.identifiers import mask_phone
from yingji.core.models import Division

router = Router(tags=["warning calls"])
MAX_BATCH = 1000


class FeedbackIn(Schema):
    on_site: bool = False
    deployed: bool = False
    evacuated: int | None = None
    support_needed: str = ""


class SmsReplyIn(Schema):
    phone: str
    text: str


class AckOut(Schema):
    call: int
    status: str
    method: str
    acknowledged_at: str


class EntryIn(Schema):
    # Required fields default to "" so a caller without the permission hears 403 before any
    # validation; the service names each missing one.
    division: str = ""
    tier: str = ""
    name: str = ""
    phone: str = ""
    role: str = "A"
    superior: int | None = None
    min_level: str = "blue"
    event_type: str = ""
    channels: list[str] = []
    email: str = ""
    webhook_url: str = ""
    active: bool = True


def _ack_out(call: Call) -> dict:
    return {
        "call": call.pk,
        "status": call.status,
        "method": call.ack_method,
        "acknowledged_at": call.acknowledged_at.isoformat() if call.acknowledged_at else "",
    }


def _api_error(error: rules_calls.AckError) -> ApiError:
    return ApiError(error.status, error.code, str(error.message), {error.field: [str(error.message)]})


@router.post("/ack/{token}", auth=None, response=AckOut, url_name="call_ack_api")
def acknowledge_link(request, token: str, feedback: FeedbackIn | None = None):
    """The personal link's acknowledgement (no login; the token is the proof of person)."""
    try:
        root = services_calls.acknowledge_link(token, feedback=feedback.dict() if feedback else None)
    except rules_calls.AckError as error:
        raise _api_error(error) from None
    return _ack_out(root)


@router.post("/sms-reply", auth=None, response=AckOut, url_name="call_sms_reply")
def sms_reply(request, payload: SmsReplyIn):
    """The SMS gateway posts a reply (sender phone, text holding the 6-digit code)."""
    _check_gateway(request)
    try:
        root = services_calls.acknowledge_sms(payload.phone, payload.text)
    except rules_calls.AckError as error:
        raise _api_error(error) from None
    return _ack_out(root)


class SmsRepliesIn(Schema):
    replies: list[SmsReplyIn]


def _check_gateway(request) -> None:
    expected = settings.CALL_SMS_REPLY_TOKEN
    if expected:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise ApiError(401, "unauthorized", _("The SMS gateway token is missing or wrong."))


@router.post("/sms-replies", auth=None, url_name="call_sms_replies")
def sms_replies(request, payload: SmsRepliesIn):
    """Up to 1,000 replies in one request (gateways that push their MO messages in batches); each is
    taken or refused on its own: `{"results": [{"status", "call"} | {"code", "message"}, ...]}`."""
    _check_gateway(request)
    if len(payload.replies) > MAX_BATCH:
        raise ApiError(413, "too_large", _("At most {n} replies per request.").format(n=MAX_BATCH))
    replies = [(reply.phone, reply.text) for reply in payload.replies]
    return {"results": services_calls.acknowledge_sms_batch(replies)}


@router.post("/{call_id}/ack", response=AckOut, url_name="call_ack_user")
def acknowledge_call(request, call_id: int, feedback: FeedbackIn | None = None):
    """The called person's own acknowledgement, or a duty officer recording a phone answer."""
    require_perm(request, "alerts.view_warning")
    call = get_object_or_404(Call.objects.for_user(request.user), pk=call_id)
    data = feedback.dict() if feedback else None
    try:
        if call.user_id == request.user.pk:
            root = services_calls.acknowledge_button(call, actor=request.user, feedback=data)
        else:
            root = services_calls.record_phone_answer(call, actor=request.user, feedback=data)
    except rules_calls.AckError as error:
        raise _api_error(error) from None
    return _ack_out(root)


@router.get("/warnings/{warning_id}/board", url_name="call_board_api")
def board(request, warning_id: int):
    """Counts (called, acknowledged, late, unreachable, first/last answer) in total, per tier and division."""
    require_perm(request, "alerts.view_warning")
    warning = get_object_or_404(Warning.objects.for_user(request.user), pk=warning_id)
    data = services_calls.board(warning)

    def clean(row: dict) -> dict:
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}

    return {
        "total": clean(data["total"]),
        "by_tier": [clean(r) for r in data["by_tier"]],
        "by_division": [clean(r) for r in data["by_division"]],
    }


def _call_json(call: Call) -> dict:
    return {
        "id": call.pk,
        "division": call.division_id,
        "tier": call.tier,
        "kind": call.kind,
        "name": call.name,
        "phone": mask_phone(call.phone),
        "status": call.status,
        "called_at": call.called_at.isoformat(),
        "deadline_at": call.deadline_at.isoformat(),
        "acknowledged_at": call.acknowledged_at.isoformat() if call.acknowledged_at else None,
        "ack_method": call.ack_method,
        "late": call.is_late,
        "on_site": call.on_site,
        "deployed": call.deployed,
        "evacuated": call.evacuated,
        "support_needed": call.support_needed,
    }


@router.get("/warnings/{warning_id}/calls", url_name="call_list_api")
def calls(request, warning_id: int, status: str = ""):
    require_perm(request, "alerts.view_warning")
    warning = get_object_or_404(Warning.objects.for_user(request.user), pk=warning_id)
    queryset = Call.objects.filter(warning=warning).order_by("division_id", "tier", "pk")
    if status:
        queryset = queryset.filter(status=status)
    return page_of(queryset, request, _call_json)


def _entry_json(entry: CallListEntry) -> dict:
    return {
        "id": entry.pk,
        "division": entry.division_id,
        "tier": entry.tier,
        "name": entry.name,
        "phone": mask_phone(entry.phone),
        "role": entry.role,
        "superior": entry.superior_id,
        "min_level": entry.min_level,
        "event_type": entry.event_type,
        "channels": entry.channels,
        "active": entry.active,
        "reviewed_at": entry.reviewed_at.isoformat() if entry.reviewed_at else None,
    }


@router.get("/lists", url_name="call_list_entries")
def list_entries(request, division: str = ""):
    require_perm(request, "alerts.view_warning")
    queryset = CallListEntry.objects.for_user(request.user)
    if division.isdigit():
        queryset = queryset.filter(division__code__startswith=division)
    return page_of(queryset, request, _entry_json)


def _entry_fields(request, payload: EntryIn) -> dict:
    fields = payload.dict()
    division = Division.objects.filter(code=fields.pop("division")).first()
    if division is None:
        raise ApiError(400, "invalid_data", _("Unknown division."), {"division": [_("Unknown division.")]})
    superior_id = fields.pop("superior")
    superior = None
    if superior_id is not None:
        superior = CallListEntry.objects.for_user(request.user).filter(pk=superior_id).first()
        if superior is None:
            raise ApiError(
                400, "invalid_data", _("Unknown superior."), {"superior": [_("Unknown superior.")]}
            )
    return {**fields, "division": division, "superior": superior}


def _save(request, entry: CallListEntry | None, payload: EntryIn) -> dict:
    require_perm(request, "alerts.change_warning")
    try:
        saved = services_calls.save_entry(entry, actor=request.user, **_entry_fields(request, payload))
    except ValidationError as error:
        fields = error.message_dict
        if "superior" in fields:
            raise ApiError(400, "superior_loop", fields["superior"][0], fields) from None
        raise
    return _entry_json(saved)


@router.post("/lists", url_name="call_list_entry_add")
def add_entry(request, payload: EntryIn):
    return _save(request, None, payload)


@router.put("/lists/{entry_id}", url_name="call_list_entry_edit")
def edit_entry(request, entry_id: int, payload: EntryIn):
    entry = get_object_or_404(CallListEntry.objects.for_user(request.user), pk=entry_id)
    return _save(request, entry, payload)
