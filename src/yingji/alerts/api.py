"""Warnings in the API: `POST /cap` takes a CAP 1.2 message from a feeding system (bearer token)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema

from yingji.alerts import capio, services
from yingji.core.api import ApiError, require_perm

router = Router(tags=["warnings"])
MAX_BYTES = 1024 * 1024


class ImportedOut(Schema):
    id: int
    identifier: str
    msg_type: str
    status: str


@router.post(
    "/cap",
    response=ImportedOut,
    url_name="warning_cap_import",
    openapi_extra={
        "requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}, "required": True}
    },
)
def import_cap(request, lenient: int = 0):
    """Import one CAP 1.2 message (XML body). `?lenient=1` takes a schema-invalid but readable message
    and keeps its problems on the warning. 400 `{code, message, fields}` lists every problem."""
    require_perm(request, "alerts.import_warning")
    if len(request.body) > MAX_BYTES:
        raise ApiError(413, "too_large", _("A CAP message may be at most 1 MB."))
    try:
        warning = services.import_cap(request.body, actor=request.user, lenient=bool(lenient))
    except capio.CapError as error:
        raise ApiError(400, error.code, error.message, error.fields) from None
    return capio.summary(warning)
