"""/api/v1/monitoring/external-alarms: external alarm sources feed the alarm lifecycle.

- `POST /api/v1/monitoring/external-alarms` with JSON `{"source": "省平台", "alarms": [{...}, ...]}`
  (a provincial platform's webhook, authenticated with the bearer token of a service account that
  has `monitoring.add_alarm`);
- `POST /api/v1/monitoring/external-alarms/csv`, multipart with `source` and `file` (a CSV with the
  columns external_id, uscc, device, point, severity, time, message, value).

Both answer `{"imported", "merged", "duplicates", "rejected": [{"row", "external_id", "fields"}]}`:
bad rows are rejected with their reasons and the others imported; importing again changes nothing.
Mounted in yingji/api.py before the /monitoring router.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from yingji.core.api import ApiError, require_perm
from yingji.monitoring import external

router = Router(tags=["monitoring"])
MAX_CSV_BYTES = 5 * 1024 * 1024


class ExternalAlarmsIn(Schema):
    # Defaults, so a caller without the permission hears 403 before any validation of the body.
    source: str = Field("", description="the external platform's name (kept with each alarm)")
    alarms: list[dict] = Field(
        default_factory=list,
        description="each: external_id, uscc, severity (1-4), time (ISO 8601); optional device, point, "
        "message, value",
    )


class RejectedOut(Schema):
    row: int
    external_id: str
    fields: dict[str, list[str]]


class ExternalImportOut(Schema):
    imported: int
    merged: int
    duplicates: int
    rejected: list[RejectedOut]


@router.post(
    "",
    response=ExternalImportOut,
    summary="Import external alarms (webhook JSON)",
    url_name="external_alarms",
)
def import_json(request, payload: ExternalAlarmsIn):
    require_perm(request, "monitoring.add_alarm")
    _require_source(payload.source)
    result = external.import_alarms(payload.alarms, source_name=payload.source, actor=request.user)
    return result.as_dict()


@router.post(
    "/csv",
    response=ExternalImportOut,
    summary="Import external alarms (CSV upload)",
    url_name="external_alarms_csv",
)
def import_csv(request, file: File[UploadedFile], source: Form[str] = ""):
    require_perm(request, "monitoring.add_alarm")
    _require_source(source)
    if file.size and file.size > MAX_CSV_BYTES:
        raise ApiError(
            413, "too_large", _("The file is larger than {mb} MB.").format(mb=MAX_CSV_BYTES // 1048576)
        )
    rows = external.rows_from_csv(file.read())
    result = external.import_alarms(rows, source_name=source, actor=request.user)
    return result.as_dict()


def _require_source(source: str) -> None:
    if not source.strip():
        raise ApiError(
            400, "invalid_data", _("Name the external source."), {"source": [_("This field is required.")]}
        )
