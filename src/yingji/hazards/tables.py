"""The hidden-danger list's columns and its spreadsheet export."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import tabular
from yingji.core.tables import Column
from yingji.hazards import rules

HAZARD_COLUMNS = [
    Column("title", _("Title"), link=True),
    Column("enterprise.name", _("Enterprise"), sortable=False),
    Column("division.name", _("Town"), sortable=False),
    Column("grade", _("Grade")),
    Column("status", _("Status")),
    Column("source", _("Source")),
    Column("due_at", _("Rectification deadline")),
    Column("rejections", _("Rejections")),
]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
SHEET_TITLE = "隐患"


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _export_columns(now) -> list[tabular.Column]:
    return [
        tabular.Column("id", "编号", importable=False),
        tabular.Column("title", "隐患名称", importable=False, width=40),
        tabular.Column(
            "enterprise", "企业", export=lambda h: h.enterprise.name if h.enterprise else "", importable=False
        ),
        tabular.Column("division", "区划代码", export=lambda h: h.division_id, importable=False),
        tabular.Column("division_name", "区划", export=lambda h: h.division.name, importable=False),
        tabular.Column("location", "位置", importable=False),
        tabular.Column("source", "来源", export=lambda h: str(h.get_source_display()), importable=False),
        tabular.Column("grade", "等级", export=lambda h: str(h.get_grade_display()), importable=False),
        tabular.Column("status", "状态", export=lambda h: str(h.get_status_display()), importable=False),
        tabular.Column("reported_at", "上报时间", export=lambda h: _local(h.reported_at), importable=False),
        tabular.Column("due_at", "整改期限", export=lambda h: _local(h.due_at), importable=False),
        tabular.Column(
            "overdue", "逾期", export=lambda h: tabular.yes_no(rules.is_overdue(h, now)), importable=False
        ),
        tabular.Column(
            "is_supervised", "挂牌督办", export=lambda h: tabular.yes_no(h.is_supervised), importable=False
        ),
        tabular.Column("rejections", "驳回次数", importable=False),
        tabular.Column("closed_at", "销号时间", export=lambda h: _local(h.closed_at), importable=False),
        tabular.Column("description", "描述", importable=False, width=50),
    ]


def export_hazards(queryset, fmt: str, *, reveal_phones: bool = False) -> tuple[bytes, str, str]:
    """(file bytes, content type, file name) of the hazards in `queryset` (no phones to reveal)."""
    now = timezone.now()
    columns = _export_columns(now)
    rows = tabular.export_rows(
        columns, queryset.select_related("enterprise", "division").iterator(chunk_size=2000)
    )
    if fmt == "xlsx":
        data, content_type = tabular.to_xlsx(columns, rows, sheet_title=SHEET_TITLE), XLSX_TYPE
    elif fmt == "csv":
        data, content_type = tabular.to_csv(columns, rows), CSV_TYPE
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return data, content_type, f"hazards-{timezone.localtime(now):%Y%m%d-%H%M}.{fmt}"
