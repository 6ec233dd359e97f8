"""The xlsx of a disaster event in the layout of the statistical form: the form's header rows, then
one row per division (its current version: the latest submission, else its draft), then the total of
the towns' (or villages') accepted versions under the top row."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from yingji.incidents import rules_reports as rules
from yingji.incidents import services_reports as services
from yingji.incidents.models_reports import DisasterEvent, DisasterReport

FIXED = 3  # division, stage, status


def rows_of(reports) -> list[tuple[DisasterReport, dict, str, str]]:
    out = []
    for report in reports:
        version = services.current_version(report)
        figures = services.figures_of(version) if version else services.figures_of(report)
        stage = version.get_stage_display() if version else ""
        out.append((report, figures, str(stage), str(report.get_status_display())))
    return out


def event_workbook(event: DisasterEvent, reports) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Disaster report")[:31]
    width = FIXED + len(rules.INDICATORS)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.cell(1, 1, _("Natural disaster situation report form")).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = center
    ws.cell(
        2,
        1,
        _(
            "Reporting unit: {unit}   Disaster event: {title} ({type})   Start date: {start}   Exported: {now}"
        ).format(
            unit=event.division.name,
            title=event.title,
            type=event.get_hazard_type_display(),
            start=event.started_on,
            now=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        ),
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)

    # row 3: groups, row 4: indicators, row 5: units
    for col, label in enumerate((_("Division"), _("Stage"), _("Status")), start=1):
        ws.cell(3, col, label)
        ws.merge_cells(start_row=3, start_column=col, end_row=5, end_column=col)
    col = FIXED + 1
    groups: list[tuple[str, int, int]] = []
    for indicator in rules.INDICATORS:
        if groups and groups[-1][0] == str(indicator.group):
            groups[-1] = (groups[-1][0], groups[-1][1], col)
        else:
            groups.append((str(indicator.group), col, col))
        ws.cell(4, col, str(DisasterReport._meta.get_field(indicator.field).verbose_name))
        ws.cell(5, col, indicator.unit)
        col += 1
    for label, start, end in groups:
        ws.cell(3, start, label)
        if end > start:
            ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=end)

    row = 6
    for report, figures, stage, status in rows_of(reports):
        indent = {"county": 0, "town": 1, "village": 2}.get(report.division.level, 0)
        ws.cell(row, 1, "  " * indent + report.division.name)
        ws.cell(row, 2, stage)
        ws.cell(row, 3, status)
        for offset, indicator in enumerate(rules.INDICATORS):
            value = figures.get(indicator.field)
            ws.cell(
                row, FIXED + 1 + offset, float(value) if indicator.decimal and value is not None else value
            )
        row += 1
    for r in range(3, row):
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.border = border
            if r <= 5:
                cell.alignment = center
                cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 18
    for c in range(2, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    ws.freeze_panes = "B6"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
