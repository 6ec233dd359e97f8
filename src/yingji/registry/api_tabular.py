"""/api/v1/enterprises/import and /export: the same importer and exporter as the pages and the command.

Mounted at /enterprises before the main enterprises router, so `/import` and `/export` are never read
as an enterprise id.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from yingji.core import audit
from yingji.core.api import ApiError, filtered_or_400, require_perm
from yingji.core.views_tabular import audit_export_of, file_response, too_large_message
from yingji.registry import importing
from yingji.registry.filters import EnterpriseFilterSet
from yingji.registry.models import Enterprise

router = Router(tags=["enterprises"])


class RowErrorOut(Schema):
    row: int | None = Field(description="Spreadsheet row number; null for a problem with the whole file")
    column: str
    value: str
    message: str
    code: str


class ImportOut(Schema):
    ok: bool
    dry_run: bool
    filename: str
    sheet: str | None
    ignored_sheets: list[str]
    encoding: str | None
    header_row: int | None
    ignored_columns: list[str]
    rows: int
    created: int
    updated: int
    unchanged: int
    error_count: int
    errors: list[RowErrorOut]
    summary: str
    notes: list[str]


class ImportInvalidOut(Schema):
    code: str = Field(description="import_invalid")
    message: str
    fields: dict
    errors: list[RowErrorOut]
    report: ImportOut


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict


@router.post(
    "/import",
    response={200: ImportOut, 400: ImportInvalidOut, 413: ErrorOut},
    summary="Import enterprises from an xlsx/csv file (all rows or none)",
)
def import_enterprises(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Multipart upload: `file` (.xlsx or .csv, the template's headers or synonyms) and `dry_run`.
    Every row is checked; on any problem nothing is saved and the answer is 400 with every problem as
    `{row, column, value, message, code}`."""
    require_perm(request, "registry.import_enterprise")
    if file.size > settings.IMPORT_MAX_BYTES:
        raise ApiError(413, "too_large", too_large_message())
    with audit.acting_as(request.user, audit.client_ip(request)):
        report = importing.import_enterprises(
            file.read(), file.name or "upload", actor=request.user, dry_run=dry_run
        )
    data = report.as_dict()
    if not report.ok:
        return Status(
            400,
            {
                "code": "import_invalid",
                "message": report.summary(),
                "fields": {},
                "errors": data["errors"],
                "report": data,
            },
        )
    return Status(200, data)


@router.get("/export", summary="Export the filtered enterprises as xlsx or csv")
def export_enterprises(request, format: str = "xlsx", reveal: bool = False):  # noqa: A002 - public name
    """The list's filters (q, division, industry, status, scale, standardization, flag, liability_insured,
    sort) and `format=xlsx|csv`. Phones are masked unless `reveal=true` and your role may see them (such an
    export is audited as a reveal too)."""
    require_perm(request, "registry.export_enterprise")
    if format not in ("xlsx", "csv"):
        raise ApiError(400, "invalid_format", _("Unknown format; use xlsx or csv."))
    if reveal:
        require_perm(request, "core.view_sensitive")
    queryset = filtered_or_400(EnterpriseFilterSet, request, Enterprise.objects.for_user(request.user))
    data, content_type, filename = importing.export_enterprises(queryset, format, reveal_phones=reveal)
    with audit.acting_as(request.user, audit.client_ip(request)):
        audit_export_of(Enterprise, queryset.count(), format, request, revealed=reveal, channel="api")
    return file_response(data, content_type, filename)
