"""Generic import, export and template pages; an entity declares its importer, exporter and columns.

    class EnterpriseImportView(EnterpriseMixin, ObjectImportView):
        importer = importing.import_enterprises      # (content, filename, *, actor, dry_run) -> ImportReport
        columns = importing.ENTERPRISE_COLUMNS

Exports read through the list page's FilterSet (`core.views.filtered`), so they hold exactly the rows
the user sees, and are audited. Phone numbers are masked, like everywhere else, unless the request asks
for them with `?reveal=1` and the user has core.view_sensitive; such an export also writes a `reveal`
audit record (as revealing one enterprise's contacts does). Only an unmasked export can be re-imported
with its phone numbers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from yingji.core import audit
from yingji.core.tabular import Column, ImportReport
from yingji.core.views import ScopedViewMixin, audit_export, filtered

MAX_SHOWN_ERRORS = 1000


def too_large_message() -> str:
    return _(
        "The file is larger than {size} MB. Split it into smaller files and import them one by one."
    ).format(size=round(settings.IMPORT_MAX_BYTES / (1024 * 1024), 1))


def wants_reveal(request) -> bool:
    """True for `?reveal=1|true` from a user who may see unmasked data; PermissionDenied for anyone else."""
    if request.GET.get("reveal", "").lower() not in ("1", "true", "yes"):
        return False
    if not request.user.has_perm("core.view_sensitive"):
        raise PermissionDenied
    return True


def audit_export_of(model, count: int, fmt: str, request, *, revealed: bool, channel: str = "") -> None:
    """The export record (and a reveal record when phones were unmasked)."""
    query = request.GET.copy()
    query.pop("format", None)
    label = fmt + (", phones unmasked" if revealed else "") + (f" ({channel})" if channel else "")
    audit_export(model, count, label, query.urlencode())
    if revealed:
        audit.record(
            "reveal", object_type=model._meta.label_lower, note=f"export of {count} rows with phones"
        )


def file_response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class ObjectImportView(ScopedViewMixin, View):
    """GET: the upload form and a link to the template. POST: import the file (or check it: dry run)."""

    template_name = "core/object_import.html"
    importer: Callable[..., ImportReport] | None = None
    columns: list[Column] = []

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.import_{opts.model_name}"]

    def get(self, request):
        return self.render_page()

    def post(self, request):
        limit = settings.IMPORT_MAX_BYTES
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 1024 * 1024:
            return self.render_page(error=too_large_message(), status=413)
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_page(error=_("Choose an .xlsx or .csv file to import."), status=400)
        if upload.size > limit:
            return self.render_page(error=too_large_message(), status=413)
        dry_run = bool(request.POST.get("dry_run"))
        report = type(self).importer(upload.read(), upload.name, actor=request.user, dry_run=dry_run)
        return self.render_page(report=report, dry_run=dry_run, status=200 if report.ok else 400)

    def render_page(
        self, *, report: ImportReport | None = None, error: str = "", dry_run: bool = False, status: int = 200
    ):
        try:
            template_url = reverse(self.url_name("template"))
        except NoReverseMatch:
            template_url = ""
        context = self.base_context(
            report=report,
            shown_errors=report.errors[:MAX_SHOWN_ERRORS] if report else [],
            hidden_errors=max(0, report.error_count - MAX_SHOWN_ERRORS) if report else 0,
            error=error,
            dry_run=dry_run,
            template_url=template_url,
            columns=[c for c in self.columns if c.importable],
            max_mb=round(settings.IMPORT_MAX_BYTES / (1024 * 1024), 1),
        )
        return render(self.request, self.template_name, context, status=status)


class ObjectExportView(ScopedViewMixin, View):
    """?format=xlsx|csv plus the list page's filters (and ?reveal=1 for unmasked phones, see above)."""

    filterset_class = None
    exporter: Callable[..., tuple[bytes, str, str]] | None = None  # (queryset, fmt, *, reveal_phones)
    formats = ("xlsx", "csv")

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.export_{opts.model_name}"]

    def get(self, request):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in self.formats:
            return HttpResponse(_("Unknown format; use xlsx or csv."), status=400, content_type="text/plain")
        reveal = wants_reveal(request)
        _filterset, queryset = filtered(self, self.filterset_class, request)
        count = queryset.count()
        data, content_type, filename = type(self).exporter(queryset, fmt, reveal_phones=reveal)
        audit_export_of(self.model, count, fmt, request, revealed=reveal)
        return file_response(data, content_type, filename)


class ObjectTemplateView(ScopedViewMixin, View):
    """The import template (.xlsx with the headers and a 说明 sheet)."""

    template_builder: Callable[[], bytes] | None = None
    template_filename = "template.xlsx"

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.import_{opts.model_name}"]

    def get(self, request):
        return file_response(
            type(self).template_builder(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            self.template_filename,
        )
