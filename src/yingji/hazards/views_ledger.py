"""The ledger (挂账销账: what is still open) and the statistics pages, and the ledger's export."""

from __future__ import annotations

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from yingji.core import tabular
from yingji.core.views_tabular import audit_export_of, file_response
from yingji.hazards import rules, statistics
from yingji.hazards.models import Hazard

PER_PAGE = 50


class _HazardPage(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "hazards.view_hazard"

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()


def _detail_url_base() -> str:
    """The hazard detail page's URL with a placeholder id, or "" while there is none."""
    try:
        return reverse("hazards:hazard_detail", args=[999999999]).replace("999999999", "{id}")
    except NoReverseMatch:
        return ""


def _days_open(hazard: Hazard, today: datetime.date) -> int:
    return (today - timezone.localdate(hazard.reported_at)).days


class _Counted:
    """A queryset whose length is already known (Paginator asks `count()`, then slices)."""

    def __init__(self, queryset, count: int):
        self.queryset, self.total = queryset, count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return self.queryset[key]


class LedgerView(_HazardPage):
    template_name = "hazards/ledger.html"

    def get(self, request):
        now = timezone.now()
        form = statistics.LedgerForm(request.GET, user=request.user)
        if form.is_valid():
            filters = {
                **form.filters(),
                "age": form.cleaned_data["age"],
                "overdue": form.cleaned_data["overdue"],
            }
            book = statistics.ledger(request.user, filters=filters, now=now)
            items = statistics.open_hazards(request.user, filters, now)
        else:
            book = statistics.empty_ledger()
            items = Hazard.objects.none()
        items = items.select_related("enterprise", "division").order_by("-reported_at", "-id")
        # The ledger has counted these items already (through the covering index): no second COUNT.
        page = Paginator(_Counted(items, book.total.open), PER_PAGE).get_page(request.GET.get("page"))
        today = timezone.localdate(now)
        detail = _detail_url_base()
        rows = [
            {
                "hazard": h,
                "days_open": _days_open(h, today),
                "overdue": rules.is_overdue(h, now),
                "url": detail.format(id=h.pk) if detail else "",
            }
            for h in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "ledger": book,
            "age_buckets": statistics.AGE_BUCKETS,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "can_export": request.user.has_perm("hazards.export_hazard"),
        }
        return render(request, self.template_name, context, status=200 if form.is_valid() else 400)


def _label(choices_model, value: str) -> str:
    try:
        return str(choices_model(value).label)
    except ValueError:
        return value


def ledger_columns(now: datetime.datetime) -> list[tabular.Column]:
    from yingji.hazards.models import Grade, Source, Status

    today = timezone.localdate(now)
    local = timezone.localtime
    return [
        tabular.Column("id", "编号"),
        tabular.Column("title", "隐患名称", width=40),
        tabular.Column(
            "enterprise", "企业", export=lambda h: h.enterprise.name if h.enterprise else "", width=36
        ),
        tabular.Column("division", "所属区划", export=lambda h: h.division.name),
        tabular.Column("industry", "行业", export=lambda h: statistics.industry_label(h.industry), width=24),
        tabular.Column("source", "来源", export=lambda h: _label(Source, h.source)),
        tabular.Column("grade", "等级", export=lambda h: _label(Grade, h.grade)),
        tabular.Column("status", "状态", export=lambda h: _label(Status, h.status)),
        tabular.Column(
            "reported_at", "上报时间", export=lambda h: local(h.reported_at).strftime("%Y-%m-%d %H:%M")
        ),
        tabular.Column(
            "due_at",
            "整改期限",
            export=lambda h: local(h.due_at).strftime("%Y-%m-%d %H:%M") if h.due_at else "",
        ),
        tabular.Column("days_open", "挂账天数", export=lambda h: _days_open(h, today)),
        tabular.Column("overdue", "是否逾期", export=lambda h: tabular.yes_no(rules.is_overdue(h, now))),
        tabular.Column("is_supervised", "挂牌督办", export=lambda h: tabular.yes_no(h.is_supervised)),
    ]


class LedgerExportView(_HazardPage):
    permission_required = "hazards.export_hazard"

    def get(self, request):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in ("xlsx", "csv"):
            return HttpResponse(_("Unknown format; use xlsx or csv."), status=400, content_type="text/plain")
        now = timezone.now()
        form = statistics.LedgerForm(request.GET, user=request.user)
        if not form.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in statistics.form_errors(form).items())
            return HttpResponse(errors, status=400, content_type="text/plain")
        filters = {**form.filters(), "age": form.cleaned_data["age"], "overdue": form.cleaned_data["overdue"]}
        items = (
            statistics.open_hazards(request.user, filters, now)
            .select_related("enterprise", "division")
            .order_by("-reported_at", "-id")
        )
        columns = ledger_columns(now)
        rows = list(tabular.export_rows(columns, items.iterator(chunk_size=2000)))
        stamp = timezone.localdate(now).strftime("%Y%m%d")
        if fmt == "csv":
            data, content_type = tabular.to_csv(columns, rows), "text/csv; charset=utf-8"
        else:
            data = tabular.to_xlsx(columns, rows, sheet_title="隐患挂账台账")
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        audit_export_of(Hazard, len(rows), fmt, request, revealed=False, channel="ledger")
        return file_response(data, content_type, f"隐患挂账台账-{stamp}.{fmt}")


KPI_LABELS = {
    "found": gettext_lazy("Found"),
    "closed": gettext_lazy("Closed out"),
    "closure_rate": gettext_lazy("Closure rate"),
    "overdue_rate": gettext_lazy("Overdue rate"),
    "avg_days_to_close": gettext_lazy("Average days to close"),
}


class StatisticsView(_HazardPage):
    template_name = "hazards/statistics.html"

    def get(self, request):
        form = statistics.StatisticsForm(request.GET, user=request.user)
        result = None
        chart = None
        if form.is_valid():
            data = form.cleaned_data
            result = statistics.summary(
                request.user,
                start=data["start"],
                end=data["end"],
                group_by=data["group_by"],
                filters=form.filters(),
            )
            chart = {
                "labels": [r.label for r in result.rows],
                "series": {
                    "found": [r.found for r in result.rows],
                    "closed": [r.closed for r in result.rows],
                    "overdue": [r.closed_late + r.overdue_now for r in result.rows],
                    "closure_rate": [r.closure_rate for r in result.rows],
                },
                "names": {
                    "found": _("Found"),
                    "closed": _("Closed out"),
                    "overdue": _("Overdue (late or still open)"),
                    "closure_rate": _("Closure rate %"),
                },
                "line": result.group_by == "month",
            }
        context = {
            "form": form,
            "result": result,
            "chart": chart,
            "group_label": statistics.GROUP_LABELS.get(
                form.cleaned_data.get("group_by", "month") if form.is_valid() else "month"
            ),
            "api_url": reverse("api:ledger_statistics"),
        }
        return render(request, self.template_name, context, status=200 if form.is_valid() else 400)
